namespace VolumeDriver.Host;

/// <summary>The mounts this process sees, read from /proc/self/mountinfo under the host root.</summary>
internal sealed class MountTable : IMountTable
{
    private const string MountInfoPath = "/proc/self/mountinfo";

    private readonly HostRoot _hostRoot;

    public MountTable(HostRoot hostRoot)
    {
        _hostRoot = hostRoot;
    }

    public async Task<IReadOnlyList<MountEntry>> ReadAsync(CancellationToken cancellationToken)
    {
        // /proc files report a size of 0; ReadAllTextAsync reads to end of file regardless.
        var text = await File.ReadAllTextAsync(_hostRoot.Map(MountInfoPath), cancellationToken);
        return MountInfoParser.Parse(text);
    }
}
