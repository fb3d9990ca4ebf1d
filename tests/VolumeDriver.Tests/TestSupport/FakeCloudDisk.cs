using System.Collections.Concurrent;
using VolumeDriver.Backends;
using VolumeDriver.Domain;

namespace VolumeDriver.Tests.TestSupport;

/// <summary>An in-memory backend that records what it was asked, for workflow and CLI tests.</summary>
internal sealed class FakeCloudDisk : ICloudDisk
{
    public ConcurrentQueue<string> Calls { get; } = new();

    public Dictionary<string, string> AttachedTo { get; } = new(StringComparer.Ordinal);

    public IReadOnlySet<string> OptionKeys { get; } = new HashSet<string>(StringComparer.Ordinal) { "skuname" };

    /// <summary>Runs first in attach and list (given "attach" or "list"), so a test can hold the call open or make it throw.</summary>
    public Func<string, CancellationToken, Task>? OnCall { get; set; }

    public Task<DiskInfo> ProvisionAsync(DiskRequest request, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"provision {request.Name}");
        return Task.FromResult(new DiskInfo(request.Name, request.Size ?? new ByteSize(1 << 30), Created: true));
    }

    public async Task<AttachResult> AttachAsync(DiskRequest request, NodeName node, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"attach {request.Name} {node} {request.Size}");
        await (OnCall?.Invoke("attach", cancellationToken) ?? Task.CompletedTask).WithTimeout();
        AttachedTo[request.Name.Value] = node.Value;
        return new AttachResult("/dev/fake/" + request.Name.Value);
    }

    public Task<bool> IsAttachedAsync(DiskRequest request, NodeName node, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"isattached {request.Name} {node}");
        return Task.FromResult(AttachedTo.TryGetValue(request.Name.Value, out var attached) && attached == node.Value);
    }

    public Task DetachAsync(VolumeName volume, NodeName node, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"detach {volume} {node}");
        AttachedTo.Remove(volume.Value);
        return Task.CompletedTask;
    }

    public Task DeleteAsync(VolumeName volume, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"delete {volume}");
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<VolumeSummary>> ListAsync(CancellationToken cancellationToken)
    {
        Calls.Enqueue("list");
        await (OnCall?.Invoke("list", cancellationToken) ?? Task.CompletedTask).WithTimeout();
        IReadOnlyList<VolumeSummary> volumes = AttachedTo
            .OrderBy(a => a.Key, StringComparer.Ordinal)
            .Select(a => new VolumeSummary(VolumeName.TryCreate(a.Key, out var name, out _) ? name.Value : throw new InvalidOperationException(a.Key), new ByteSize(1 << 30), "Standard_LRS", NodeName.TryCreate(a.Value, out var node, out _) ? node : null, "/dev/fake/" + a.Key))
            .ToList();
        return volumes;
    }

    /// <summary>Disk sizes as a real backend would know them; a disk not listed has 1 GiB.</summary>
    public Dictionary<string, ByteSize> Sizes { get; } = new(StringComparer.Ordinal);

    public Task<ByteSize> ResizeAsync(DiskRequest request, ByteSize newSize, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"resize {request.Name} {newSize}");
        var current = Sizes.TryGetValue(request.Name.Value, out var size) ? size : ByteSize.FromGiB(1);
        if (newSize.Bytes < current.Bytes)
        {
            throw new Errors.DiskOperationException($"refusing to shrink volume {request.Name} from {current} to {newSize}");
        }

        Sizes[request.Name.Value] = newSize;
        return Task.FromResult(newSize);
    }

    public DiskIdentity IdentityFor(DiskRequest request, string? attachedDevicePath) =>
        new LoopBackingFileIdentity("/images/" + request.Name.Value + ".img");
}
