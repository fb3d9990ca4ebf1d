namespace VolumeDriver.Host;

/// <summary>
/// Where host paths such as /sys, /dev and /proc are read from. Production uses "/", tests point it
/// at a temporary tree so sysfs and /dev lookups can be exercised without a kernel. Paths handed
/// back to kubelet are always host paths (/dev/loop3), never prefixed with the root.
/// </summary>
internal sealed record HostRoot(string Root)
{
    public static HostRoot System { get; } = new("/");

    /// <summary>Maps an absolute host path to the path to read it at.</summary>
    public string Map(string hostPath)
    {
        if (!hostPath.StartsWith('/'))
        {
            throw new ArgumentException($"'{hostPath}' is not an absolute host path", nameof(hostPath));
        }

        return Root == "/" ? hostPath : Path.Join(Root, hostPath);
    }
}
