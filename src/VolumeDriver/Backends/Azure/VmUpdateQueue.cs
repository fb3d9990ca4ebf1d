using System.Text.Json;
using System.Text.Json.Serialization;

namespace VolumeDriver.Backends.Azure;

/// <summary>
/// Where attaches to one VM meet so that one VM update carries many of them (the CSI driver's fix for
/// slow attaches: kubelet starting 16 pods asked ARM for 16 updates of one VM, one after another).
/// Every invocation is its own process, so they meet in files: an attach writes its request here
/// BEFORE it waits for the VM's lock; whoever holds the lock takes every request waiting for that
/// VM, attaches them all in one update, and writes each one's LUN to an answer file named by the
/// request's own id. A process that gets the lock and finds its answer is done without an update.
/// Files, not etcd: with the attach/detach controller disabled (the documented setup) every attach
/// to a VM runs on that VM, and the lock that orders them is taken anyway. A request whose process
/// died is attached by the next holder, and kubelet's retry of it then finds the disk attached.
/// </summary>
internal sealed class VmUpdateQueue
{
    private readonly string _directory;

    public VmUpdateQueue(string stateDirectory)
    {
        _directory = Path.Join(stateDirectory, "attach-queue");
    }

    /// <summary>Leaves a request for the VM's next update. Returns its id.</summary>
    public async Task<string> EnqueueAsync(string vm, AttachRequest request, CancellationToken cancellationToken)
    {
        var directory = VmDirectory(vm);
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var path = Path.Join(directory, request.Id + ".request");
        await File.WriteAllTextAsync(path + ".tmp", JsonSerializer.Serialize(request, AzureQueueJsonContext.Default.AttachRequest), cancellationToken);
        File.Move(path + ".tmp", path, overwrite: true);
        return request.Id;
    }

    /// <summary>The LUN another process attached this request at, or null. Call while holding the VM's lock.</summary>
    public async Task<int?> TakeAnswerAsync(string vm, string id, CancellationToken cancellationToken)
    {
        var path = Path.Join(VmDirectory(vm), id + ".answer");
        if (!File.Exists(path))
        {
            return null;
        }

        var lun = int.Parse(await File.ReadAllTextAsync(path, cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        File.Delete(path);
        return lun;
    }

    /// <summary>Every request waiting for the VM. Call while holding the VM's lock.</summary>
    public async Task<IReadOnlyList<AttachRequest>> PendingAsync(string vm, CancellationToken cancellationToken)
    {
        var directory = VmDirectory(vm);
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var requests = new List<AttachRequest>();
        foreach (var file in Directory.EnumerateFiles(directory, "*.request"))
        {
            try
            {
                if (JsonSerializer.Deserialize(await File.ReadAllTextAsync(file, cancellationToken), AzureQueueJsonContext.Default.AttachRequest) is { } request)
                {
                    requests.Add(request);
                }
            }
            catch (Exception e) when (e is JsonException or IOException)
            {
                // A request file that cannot be read is dropped; its process will retry on its own.
                File.Delete(file);
            }
        }

        return requests;
    }

    /// <summary>Answers a request (the LUN it has now) and removes it from the queue.</summary>
    public async Task AnswerAsync(string vm, AttachRequest request, int lun, bool writeAnswer, CancellationToken cancellationToken)
    {
        var directory = VmDirectory(vm);
        if (writeAnswer)
        {
            await File.WriteAllTextAsync(Path.Join(directory, request.Id + ".answer"), lun.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken);
        }

        File.Delete(Path.Join(directory, request.Id + ".request"));
    }

    /// <summary>Withdraws a request that was not carried out (its attach failed before or during the update).</summary>
    public void Withdraw(string vm, string id)
    {
        File.Delete(Path.Join(VmDirectory(vm), id + ".request"));
        File.Delete(Path.Join(VmDirectory(vm), id + ".answer"));
    }

    private string VmDirectory(string vm) => Path.Join(_directory, Locking.FileVmLockProvider.FileNameFor(vm));
}

/// <summary>One disk waiting to be attached to a VM.</summary>
internal sealed record AttachRequest(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("diskId")] string DiskId,
    [property: JsonPropertyName("diskName")] string DiskName,
    [property: JsonPropertyName("caching")] string Caching);

[JsonSerializable(typeof(AttachRequest))]
internal sealed partial class AzureQueueJsonContext : JsonSerializerContext;
