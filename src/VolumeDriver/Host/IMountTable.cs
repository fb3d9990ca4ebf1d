namespace VolumeDriver.Host;

/// <summary>Reads the mounts this process sees (/proc/self/mountinfo under the host root).</summary>
internal interface IMountTable
{
    Task<IReadOnlyList<MountEntry>> ReadAsync(CancellationToken cancellationToken);
}
