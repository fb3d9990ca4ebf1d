namespace VolumeDriver.Host;

/// <summary>
/// Where host paths such as /sys, /dev and /proc are read from. Production uses "/", tests point it
/// at a temporary tree so sysfs and /dev lookups can be exercised without a kernel. Paths handed
/// back to kubelet are always host paths (/dev/loop3), never prefixed with the root.
/// </summary>
/// <param name="Root">Where host paths are read.</param>
/// <param name="EmulationRoot">
/// When set, the paths udev and the SCSI midlayer make for cloud disks (<c>/dev/disk/...</c>,
/// <c>/dev/block/...</c>, udev rules, <c>/sys/class/scsi_host/...</c>, <c>/sys/bus/scsi/...</c>) are read from this directory instead,
/// while loop devices, <c>/sys/class/block</c> and <c>/proc</c> stay real. The cloud test doubles
/// emulate a node there: their links point at real loop devices, so the whole kubelet sequence runs
/// on a real filesystem, and several emulated nodes share one machine without seeing each other's disks.
/// </param>
internal sealed record HostRoot(string Root, string? EmulationRoot = null)
{
    private static readonly string[] EmulatedPrefixes = ["/dev/disk/", "/dev/block/", "/etc/udev/rules.d/", "/sys/class/scsi_host/", "/sys/bus/scsi/"];

    public static HostRoot System { get; } = new("/");

    /// <summary>Maps an absolute host path to the path to read it at.</summary>
    public string Map(string hostPath)
    {
        if (!hostPath.StartsWith('/'))
        {
            throw new ArgumentException($"'{hostPath}' is not an absolute host path", nameof(hostPath));
        }

        if (EmulationRoot is not null && Array.Exists(EmulatedPrefixes, p => hostPath.StartsWith(p, StringComparison.Ordinal) || hostPath + "/" == p))
        {
            return Path.Join(EmulationRoot, hostPath);
        }

        return Root == "/" ? hostPath : Path.Join(Root, hostPath);
    }
}
