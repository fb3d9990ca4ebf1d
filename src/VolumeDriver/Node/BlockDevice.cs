using VolumeDriver.Errors;
using VolumeDriver.Host;

namespace VolumeDriver.Node;

/// <summary>
/// A block device by its kernel name, with the device number mountinfo reports for it. Built from a
/// path that may be a symlink (/dev/disk/by-id/...): callers work on the kernel name from then on,
/// because udev may re-point a link between two steps.
/// </summary>
/// <param name="Path">The kernel device path, such as /dev/loop3.</param>
/// <param name="Name">The kernel name, such as loop3 (its directory under /sys/class/block).</param>
internal sealed record BlockDevice(string Path, string Name, uint Major, uint Minor)
{
    public const string SysClassBlock = "/sys/class/block";

    /// <summary>The device's sysfs directory (a host path).</summary>
    public string SysfsDirectory => $"{SysClassBlock}/{Name}";

    /// <summary>True when the mount's device number is this device's.</summary>
    public bool IsSourceOf(MountEntry mount) => mount.Major == Major && mount.Minor == Minor;

    /// <summary>
    /// Resolves <paramref name="devicePath"/> to its kernel device and reads its major:minor from
    /// <c>/sys/class/block/NAME/dev</c>. Throws <see cref="DeviceNotFoundException"/> when it is not a
    /// block device on this node.
    /// </summary>
    public static async Task<BlockDevice> ResolveAsync(HostRoot hostRoot, string devicePath, CancellationToken cancellationToken)
    {
        var device = HostPaths.ResolveLinks(hostRoot, devicePath);
        var name = System.IO.Path.GetFileName(device);
        var devFile = $"{SysClassBlock}/{name}/dev";
        if (!device.StartsWith("/dev/", StringComparison.Ordinal) || !System.IO.Path.Exists(hostRoot.Map(device)) || !File.Exists(hostRoot.Map(devFile)))
        {
            throw new DeviceNotFoundException(
                devicePath,
                TimeSpan.Zero,
                $"{devicePath}{(device == devicePath ? string.Empty : " (" + device + ")")} is not a block device on this node "
                + $"(no {SysClassBlock}/{name}); check that the volume is attached here (waitforattach) and that the path is right.");
        }

        var number = (await File.ReadAllTextAsync(hostRoot.Map(devFile), cancellationToken)).Trim();
        if (!MountInfoParser.TryParseDeviceNumber(number, out var major, out var minor))
        {
            throw new DeviceNotFoundException(devicePath, TimeSpan.Zero, $"{devFile} holds '{number}', not a major:minor device number; cannot tell which device {devicePath} is.");
        }

        return new BlockDevice(device, name, major, minor);
    }

    /// <summary>The mount on top at a path (the last one in mountinfo order), or null.</summary>
    public static MountEntry? TopMount(IReadOnlyList<MountEntry> mounts, string mountPath) =>
        mounts.LastOrDefault(m => string.Equals(m.MountPoint, mountPath, StringComparison.Ordinal));
}
