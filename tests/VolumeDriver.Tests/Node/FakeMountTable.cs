using VolumeDriver.Host;

namespace VolumeDriver.Tests.Node;

/// <summary>
/// A mount table that answers reads with scripted snapshots, in order; the last snapshot repeats.
/// </summary>
internal sealed class FakeMountTable : IMountTable
{
    private readonly Queue<IReadOnlyList<MountEntry>> _snapshots = new();
    private IReadOnlyList<MountEntry> _last = [];

    public int Reads { get; private set; }

    public FakeMountTable Then(params MountEntry[] entries)
    {
        _snapshots.Enqueue(entries);
        return this;
    }

    public Task<IReadOnlyList<MountEntry>> ReadAsync(CancellationToken cancellationToken)
    {
        Reads++;
        if (_snapshots.Count > 0)
        {
            _last = _snapshots.Dequeue();
        }

        return Task.FromResult(_last);
    }

    public static MountEntry Entry(string source, uint major, uint minor, string mountPoint, string options = "rw,relatime", string fsType = "ext4", string root = "/") =>
        new(100, 26, major, minor, root, mountPoint, options, fsType, source, options);
}
