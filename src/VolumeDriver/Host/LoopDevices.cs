namespace VolumeDriver.Host;

/// <summary>
/// Lists loop devices and the files behind them from sysfs (/sys/block/loopN/loop/backing_file),
/// which, unlike losetup's table output, is a stable machine interface and shows the full path.
/// Shared by the loop backend (is this image attached?) and the node (which device is it?).
/// </summary>
internal sealed class LoopDevices
{
    private const string DeletedSuffix = " (deleted)";

    /// <summary>The unit of sysfs block device sizes.</summary>
    private const long SectorSize = 512;
    private readonly HostRoot _host;

    public LoopDevices(HostRoot host)
    {
        _host = host;
    }

    /// <summary>Every bound loop device, ordered by name so results and messages are stable.</summary>
    public async Task<IReadOnlyList<LoopDevice>> ListAsync(CancellationToken cancellationToken)
    {
        var devices = new List<LoopDevice>();
        var blockDirectory = new DirectoryInfo(_host.Map("/sys/block"));
        if (!blockDirectory.Exists)
        {
            return devices;
        }

        // /sys/block entries are symlinks to the device directories; enumerate them as entries.
        foreach (var entry in blockDirectory.EnumerateFileSystemInfos("loop*").OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            var recorded = await ReadTrimmedAsync(Path.Join(entry.FullName, "loop", "backing_file"), cancellationToken);
            var numbers = await ReadTrimmedAsync(Path.Join(entry.FullName, "dev"), cancellationToken);
            if (recorded is null || numbers is null || !MountInfoParser.TryParseDeviceNumber(numbers, out var major, out var minor))
            {
                continue;
            }

            var deleted = recorded.EndsWith(DeletedSuffix, StringComparison.Ordinal);
            devices.Add(new LoopDevice("/dev/" + entry.Name, major, minor, deleted ? recorded[..^DeletedSuffix.Length] : recorded, deleted));
        }

        return devices;
    }

    /// <summary>
    /// The loop devices backed by <paramref name="backingFile"/> (an absolute path with symlinks
    /// resolved, as the kernel records it). A device whose file was deleted does not match.
    /// </summary>
    public async Task<IReadOnlyList<LoopDevice>> FindByBackingFileAsync(string backingFile, CancellationToken cancellationToken) =>
        (await ListAsync(cancellationToken)).Where(d => !d.BackingFileDeleted && d.BackingFile == backingFile).ToList();

    /// <summary>
    /// Why the device is still in use, or null when nothing holds it: a device-mapper or md holder in
    /// sysfs, or an exclusive open refused with EBUSY, which is what a mount in any mount namespace
    /// (not only ours) or another exclusive user causes.
    /// </summary>
    public string? InUseReason(LoopDevice device)
    {
        var name = Path.GetFileName(device.DevicePath);
        var holders = new DirectoryInfo(_host.Map($"/sys/block/{name}/holders"));
        if (holders.Exists && holders.EnumerateFileSystemInfos().FirstOrDefault() is { } holder)
        {
            return $"{device.DevicePath} is held by {holder.Name} (device-mapper, LVM or RAID on top of it)";
        }

        using var handle = LibC.Open(_host.Map(device.DevicePath), LibC.ReadOnly | LibC.Exclusive, 0, out var errno);
        return handle.IsInvalid && errno == LibC.Busy
            ? $"{device.DevicePath} is busy: it is mounted (possibly in another mount namespace, such as a container's) or held open exclusively"
            : null;
    }

    /// <summary>
    /// The size the kernel gives the device, in bytes (/sys/block/NAME/size counts 512-byte sectors
    /// whatever the logical block size), or null when the device is gone.
    /// </summary>
    public async Task<long?> ReadSizeAsync(LoopDevice device, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(device.DevicePath);
        var sectors = await ReadTrimmedAsync(_host.Map($"/sys/block/{name}/size"), cancellationToken);
        return sectors is not null && long.TryParse(sectors, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count)
            ? count * SectorSize
            : null;
    }

    /// <summary>Reads a sysfs attribute; a device that vanished or is unbound reads as null.</summary>
    private static async Task<string?> ReadTrimmedAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return (await File.ReadAllTextAsync(path, cancellationToken)).TrimEnd('\n');
        }
        catch (IOException)
        {
            // An unbound loop device has no backing_file; ENXIO and ENOENT surface as IOException.
            return null;
        }
    }
}
