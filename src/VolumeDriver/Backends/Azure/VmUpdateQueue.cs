using System.Text.Json;
using System.Text.Json.Serialization;
using VolumeDriver.Host;

namespace VolumeDriver.Backends.Azure;

/// <summary>
/// Where attaches and detaches for one VM meet so that one VM update carries many of them (the CSI
/// driver's fix for slow attaches: kubelet starting 16 pods asked ARM for 16 updates of one VM, one
/// after another; draining a node does the same with detaches). Every invocation is its own
/// process, so they meet in files: a request is written here BEFORE its process waits for the VM's
/// lock; whoever holds the lock takes every request waiting for that VM, carries them all in one
/// update, and writes each one's outcome (the LUN of an attach, "detached" for a detach) to an
/// answer file named by the request's own id. A process that gets the lock and finds its answer is
/// done without an update.
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
    public async Task<string> EnqueueAsync(string vm, VmDiskRequest request, CancellationToken cancellationToken)
    {
        var directory = VmDirectory(vm);
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var path = Path.Join(directory, request.Id + ".request");
        await File.WriteAllTextAsync(path + ".tmp", JsonSerializer.Serialize(request, AzureQueueJsonContext.Default.VmDiskRequest), cancellationToken);
        File.Move(path + ".tmp", path, overwrite: true);
        return request.Id;
    }

    /// <summary>What another process's update did for this request, or null. Call while holding the VM's lock.</summary>
    public async Task<VmDiskOutcome?> TakeAnswerAsync(string vm, string id, CancellationToken cancellationToken)
    {
        var path = Path.Join(VmDirectory(vm), id + ".answer");
        if (!File.Exists(path))
        {
            return null;
        }

        var answer = (await File.ReadAllTextAsync(path, cancellationToken)).Trim();
        File.Delete(path);
        return VmDiskOutcome.ParseAnswer(answer);
    }

    /// <summary>Every request waiting for the VM. Call while holding the VM's lock.</summary>
    public async Task<IReadOnlyList<VmDiskRequest>> PendingAsync(string vm, CancellationToken cancellationToken)
    {
        var directory = VmDirectory(vm);
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var requests = new List<VmDiskRequest>();
        foreach (var file in Directory.EnumerateFiles(directory, "*.request"))
        {
            try
            {
                if (JsonSerializer.Deserialize(await File.ReadAllTextAsync(file, cancellationToken), AzureQueueJsonContext.Default.VmDiskRequest) is { } request)
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

    /// <summary>Answers a request and removes it from the queue.</summary>
    public async Task AnswerAsync(string vm, VmDiskRequest request, VmDiskOutcome answer, bool writeAnswer, CancellationToken cancellationToken)
    {
        var directory = VmDirectory(vm);
        if (writeAnswer)
        {
            await File.WriteAllTextAsync(Path.Join(directory, request.Id + ".answer"), answer.AnswerText, cancellationToken);
        }

        File.Delete(Path.Join(directory, request.Id + ".request"));
    }

    /// <summary>Withdraws a request that was not carried out (its attach failed before or during the update).</summary>
    public void Withdraw(string vm, string id)
    {
        File.Delete(Path.Join(VmDirectory(vm), id + ".request"));
        File.Delete(Path.Join(VmDirectory(vm), id + ".answer"));
    }

    private string VmDirectory(string vm) => Path.Join(_directory, SafeFileName.For(vm));
}
