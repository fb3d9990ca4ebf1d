namespace VolumeDriver.Configuration;

/// <summary>Node-side deadlines and mount policy.</summary>
/// <param name="DeviceTimeout">How long waitforattach waits for a device to appear.</param>
/// <param name="CommandTimeout">The deadline for one external tool (mkfs of a large disk included).</param>
/// <param name="EmulationRoot">For the cloud test doubles only: where this node's /dev/disk and SCSI sysfs are read (see <see cref="Host.HostRoot"/>).</param>
/// <param name="AllowSuidAndDevices">
/// When false (the default), every volume is mounted nosuid,nodev and a volume's own suid or dev
/// option is refused: whoever writes a pod writes an inline volume's options. True leaves both to the volume.
/// </param>
internal sealed record NodeConfiguration(TimeSpan DeviceTimeout, TimeSpan CommandTimeout, string? EmulationRoot = null, bool AllowSuidAndDevices = false)
{
    public static NodeConfiguration Defaults { get; } = new(TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5));
}
