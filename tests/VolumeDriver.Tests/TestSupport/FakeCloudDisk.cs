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

    public Task<DiskInfo> ProvisionAsync(DiskRequest request, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"provision {request.Name}");
        return Task.FromResult(new DiskInfo(request.Name, request.Size ?? new ByteSize(1 << 30), Created: true));
    }

    public Task<AttachResult> AttachAsync(DiskRequest request, NodeName node, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"attach {request.Name} {node} {request.Size}");
        AttachedTo[request.Name.Value] = node.Value;
        return Task.FromResult(new AttachResult("/dev/fake/" + request.Name.Value));
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

    public DiskIdentity IdentityFor(DiskRequest request, string? attachedDevicePath) =>
        new LoopBackingFileIdentity("/images/" + request.Name.Value + ".img");
}
