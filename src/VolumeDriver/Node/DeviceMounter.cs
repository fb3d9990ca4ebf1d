using Microsoft.Extensions.Logging;
using VolumeDriver.Configuration;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.Host;

namespace VolumeDriver.Node;

/// <summary>
/// Formats (only a provably blank device), mounts and unmounts. Every decision that could lose data
/// errs towards refusing: a device is formatted only when <see cref="BlockDeviceProbe"/> finds no
/// signature at all and the volume is writable; a filesystem of another type, a partition table or
/// any other signature is left alone and explained.
/// </summary>
internal sealed class DeviceMounter : IDeviceMounter
{
    public const string Mount = "mount";
    public const string Umount = "umount";

    /// <summary>How many times unmount repeats umount for mounts stacked on the same path.</summary>
    public const int MaxUnmounts = 8;

    private const string ReadOnlyOption = "ro";
    private const string ReadWriteOption = "rw";

    /// <summary>The per-mount flags that decide what a pod can do with a volume, compared on an existing mount.</summary>
    private static readonly string[] SafetyFlags = ["nosuid", "nodev", "noexec"];
    private const UnixFileMode MountDirectoryMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;

    private readonly IProcessRunner _processRunner;
    private readonly IMountTable _mountTable;
    private readonly BlockDeviceProbe _probe;
    private readonly FilesystemFormatter _formatter;
    private readonly UnsignedDataScanner _scanner;
    private readonly HostRoot _hostRoot;
    private readonly NodeConfiguration _configuration;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<DeviceMounter> _logger;

    public DeviceMounter(
        IProcessRunner processRunner,
        IMountTable mountTable,
        BlockDeviceProbe probe,
        FilesystemFormatter formatter,
        UnsignedDataScanner scanner,
        HostRoot hostRoot,
        NodeConfiguration configuration,
        TimeProvider timeProvider,
        ILogger<DeviceMounter> logger)
    {
        _processRunner = processRunner;
        _mountTable = mountTable;
        _probe = probe;
        _formatter = formatter;
        _scanner = scanner;
        _hostRoot = hostRoot;
        _configuration = configuration;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public async Task<MountDeviceOutcome> MountDeviceAsync(MountDeviceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var fsName = FsTypes.Name(request.FsType);

        // Work on the kernel name from here on: a symlink such as /dev/disk/by-id/... could be
        // re-pointed by udev between the probe and mkfs.
        var (device, _, major, minor) = await BlockDevice.ResolveAsync(_hostRoot, request.DevicePath, cancellationToken);

        // From the first look at the mount table to the mount itself, hold the device's lock, so a
        // second process given the same device waits and then finds it formatted and mounted.
        using var deviceLock = await BlockDeviceLock.AcquireAsync(_hostRoot, device, _configuration.CommandTimeout, _timeProvider, () => _logger.WaitingForDeviceLock(device), cancellationToken);
        var mountPath = HostPaths.ResolveLinks(_hostRoot, request.MountPath);
        var readOnly = request.ReadOnly || request.Options.Items.Contains(ReadOnlyOption);
        var mountOptions = MountOptionsFor(request.Options, readOnly);

        var mounted = TopMount(await _mountTable.ReadAsync(cancellationToken), mountPath);
        if (mounted is not null)
        {
            return AlreadyMounted(mounted, device, major, minor, mountPath, fsName, mountOptions);
        }

        CheckNoKernelPartitions(device);

        CreateMountDirectory(mountPath);

        var contents = await _probe.ProbeAsync(device, cancellationToken);
        var described = contents.Describe();
        _logger.Probed(device, described);

        var formatted = false;
        switch (contents)
        {
            case DeviceContents.Blank when readOnly:
                throw Refuse(device, mountPath, $"refusing to format a read-only volume: {device} is blank (no filesystem), and a read-only volume is never formatted. "
                    + "Mount it read-write once so it gets a filesystem, or check that this is the right disk.");
            case DeviceContents.Blank:
                await RequireUnusedAsync(device, mountPath, cancellationToken);
                await FormatAsync(device, request.FsType, cancellationToken);
                formatted = true;
                break;
            case DeviceContents.Filesystem filesystem when filesystem.Type == fsName:
                break;
            case DeviceContents.Filesystem filesystem:
                throw Refuse(device, mountPath, $"{device} holds {filesystem.Type}, the volume asks for {fsName}; refusing to reformat or mount it as {fsName}. "
                    + $"Fix the volume's fsType (to {filesystem.Type}) if this is the right disk.");
            case DeviceContents.PartitionTable table:
                throw Refuse(device, mountPath, $"{device} holds {table.Describe()}; this driver never formats, mounts or changes a partitioned device. "
                    + "Check that this is the right disk, and move its data to an unpartitioned volume if it is.");
            case DeviceContents.OtherSignature other:
                throw Refuse(device, mountPath, $"{device} holds {other.Describe()}, not a {fsName} filesystem; refusing to format or mount it. "
                    + $"Inspect it with 'blkid -p {device}' and 'wipefs --no-act {device}'; only an operator who knows the data is unwanted should erase it.");
            default:
                throw new InvalidOperationException($"unknown probe result {contents}");
        }

        await MountAsync(device, fsName, mountPath, mountOptions, cancellationToken);
        return new MountDeviceOutcome(Formatted: formatted, AlreadyMounted: false, ResolvedDevice: device);
    }

    public async Task<UnmountOutcome> UnmountAsync(string mountPath, CancellationToken cancellationToken)
    {
        if (!Path.Exists(_hostRoot.Map(HostPaths.Normalize(mountPath))))
        {
            _logger.NothingToUnmount(mountPath);
            return new UnmountOutcome(null);
        }

        var path = HostPaths.ResolveLinks(_hostRoot, mountPath);
        var mounted = TopMount(await _mountTable.ReadAsync(cancellationToken), path);
        if (mounted is null)
        {
            _logger.NothingToUnmount(path);
            return new UnmountOutcome(null);
        }

        // With stacked mounts, the one at the bottom is the one mountdevice made: report its source.
        var started = _timeProvider.GetTimestamp();
        string[] arguments = [path];
        for (var count = 1; count <= MaxUnmounts; count++)
        {
            var result = await _processRunner.RunAsync(Umount, arguments, _configuration.CommandTimeout, cancellationToken);
            var stillMounted = TopMount(await _mountTable.ReadAsync(cancellationToken), path);
            if (stillMounted is null)
            {
                // Also when umount failed because something else unmounted it in the meantime.
                var elapsedMs = _timeProvider.GetElapsedTime(started).TotalMilliseconds;
                _logger.Unmounted(mounted.Source, path, count, elapsedMs);
                return new UnmountOutcome(mounted.Source);
            }

            mounted = stillMounted;

            if (result.ExitCode != 0)
            {
                var said = result.OutputTail();
                throw new CommandFailedException(
                    Umount,
                    arguments,
                    result.ExitCode,
                    said,
                    $"unmounting {stillMounted.Source} from {path} failed: 'umount {path}' exited with {result.ExitCode}: {(said.Length == 0 ? "it printed nothing" : said)}. "
                    + "If the target is busy, find what still uses it (a pod, a shell, 'fuser -vm' on the path) and retry.");
            }
        }

        throw new CommandFailedException(
            Umount,
            arguments,
            0,
            string.Empty,
            $"{path} is still a mount point after {MaxUnmounts} successful umount calls; something keeps mounting over it. Check /proc/self/mountinfo for {path}.");
    }

    /// <summary>The options passed to mount -o: the user's, with ro added (and rw dropped) when read-only.</summary>
    public static IReadOnlyList<string> MountOptionsFor(MountOptions options, bool readOnly)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!readOnly)
        {
            return options.Items;
        }

        return [.. options.Items.Where(o => o is not ReadWriteOption and not ReadOnlyOption), ReadOnlyOption];
    }

    /// <summary>The argv of the mount command.</summary>
    public static IReadOnlyList<string> MountArguments(string fsName, IReadOnlyList<string> options, string device, string mountPath)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Count == 0
            ? ["-t", fsName, device, mountPath]
            : ["-t", fsName, "-o", string.Join(',', options), device, mountPath];
    }

    private static MountEntry? TopMount(IReadOnlyList<MountEntry> mounts, string mountPath) => BlockDevice.TopMount(mounts, mountPath);

    private MountDeviceOutcome AlreadyMounted(MountEntry mounted, string device, uint major, uint minor, string mountPath, string fsName, IReadOnlyList<string> options)
    {
        if (mounted.Major != major || mounted.Minor != minor || mounted.Root != "/")
        {
            throw Refuse(device, mountPath, $"{mountPath} is already a mount point for {mounted.Source} ({mounted.FsType}, device {mounted.Major}:{mounted.Minor}"
                + $"{(mounted.Root == "/" ? string.Empty : ", subdirectory " + mounted.Root)}), not for {device} ({major}:{minor}); refusing to mount over it. "
                + $"Unmount {mountPath} if nothing should be there, or check which volume owns it.");
        }

        // The same device, but not mounted the way this volume asks: Success would hand a pod a
        // filesystem of the wrong type, or one without the restrictions it was promised.
        var mountedFlags = mounted.MountOptions.Split(',');
        var differences = SafetyFlags
            .Where(flag => options.Contains(flag) != mountedFlags.Contains(flag))
            .Select(flag => options.Contains(flag) ? $"lacks {flag}" : $"has {flag}, which the volume does not ask for")
            .ToList();
        var readOnly = options.Contains(ReadOnlyOption);
        if (mounted.IsReadOnly != readOnly)
        {
            differences.Insert(0, $"is {(mounted.IsReadOnly ? "read-only" : "read-write")}, the volume asks for {(readOnly ? "read-only" : "read-write")}");
        }

        if (mounted.FsType != fsName)
        {
            differences.Insert(0, $"is {mounted.FsType}, the volume asks for {fsName}");
        }

        if (differences.Count > 0)
        {
            throw Refuse(device, mountPath, $"{device} is already mounted at {mountPath} ({mounted.FsType}, options {mounted.MountOptions}), but the mount "
                + $"{string.Join("; ", differences)} (asked: {fsName}{(options.Count == 0 ? string.Empty : ", " + string.Join(',', options))}). "
                + "Unmount it (unmountdevice) and retry, or fix the volume's fsType and mountOptions.");
        }

        _logger.AlreadyMounted(device, mountPath);
        return new MountDeviceOutcome(Formatted: false, AlreadyMounted: true, ResolvedDevice: device);
    }

    /// <summary>A second net behind the probe: the kernel already found partitions on the device.</summary>
    private void CheckNoKernelPartitions(string device)
    {
        var name = Path.GetFileName(device);
        var directory = new DirectoryInfo(_hostRoot.Map($"{BlockDevice.SysClassBlock}/{name}"));
        var partitions = directory.EnumerateDirectories()
            .Where(d => File.Exists(Path.Join(d.FullName, "partition")))
            .Select(d => d.Name)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (partitions.Count > 0)
        {
            throw new UnsafeOperationException(
                $"{device} has partitions ({string.Join(", ", partitions)}); this driver never formats, mounts or changes a partitioned device. "
                + "Check that this is the right disk.");
        }
    }

    private void CreateMountDirectory(string mountPath)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("mounting block devices needs Linux");
        }

        var mapped = _hostRoot.Map(mountPath);
        if (Path.Exists(mapped) && !Directory.Exists(mapped))
        {
            throw new UnsafeOperationException(
                $"cannot mount on {mountPath}: it exists and is not a directory (kubelet creates deviceMountPath as an empty directory); "
                + $"check what put a file there, and remove it if nothing needs it.");
        }

        if (!Directory.Exists(mapped))
        {
            // kubelet normally creates it (0750); create it the same way when it has not.
            Directory.CreateDirectory(mapped, MountDirectoryMode);
        }
    }

    /// <summary>
    /// The last check before mkfs: data that carries no signature (see <see cref="UnsignedDataScanner"/>).
    /// Only a blank device pays for it, never the mount of a formatted volume.
    /// </summary>
    private async Task RequireUnusedAsync(string device, string mountPath, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        var found = await _scanner.FindDataAsync(device, cancellationToken);
        var elapsedMs = _timeProvider.GetElapsedTime(started).TotalMilliseconds;
        _logger.ScannedForData(device, found ?? "nothing but zeros", elapsedMs);
        if (found is not null)
        {
            throw Refuse(device, mountPath, $"refusing to format {device}: blkid and wipefs find no signature on it, but it is not unused: it holds {found}. "
                + "A new disk reads as zeros; this one may hold someone's data. Check that this is the right disk. "
                + $"Only if its data is unwanted, wipe it on purpose ('wipefs --all {device}', then 'blkdiscard {device}', or 'blkdiscard --zeroout {device}' "
                + "where discarded blocks do not read back as zeros) and retry.");
        }
    }

    private async Task FormatAsync(string device, FsType fsType, CancellationToken cancellationToken)
    {
        var fsName = FsTypes.Name(fsType);
        _logger.FormatStarting(device, fsName);
        var started = _timeProvider.GetTimestamp();
        await _formatter.FormatAsync(device, fsType, cancellationToken);
        var elapsedMs = _timeProvider.GetElapsedTime(started).TotalMilliseconds;
        _logger.Formatted(device, fsName, elapsedMs);

        // Check that the filesystem we just made is what the device now shows, before mounting it.
        var after = await _probe.ProbeAsync(device, cancellationToken);
        if (after is not DeviceContents.Filesystem filesystem || filesystem.Type != fsName)
        {
            throw new UnsafeOperationException(
                $"after formatting {device} as {fsName}, blkid reports {after.Describe()}; not mounting it. Inspect the device with 'blkid -p {device}'.");
        }
    }

    private async Task MountAsync(string device, string fsName, string mountPath, IReadOnlyList<string> options, CancellationToken cancellationToken)
    {
        var arguments = MountArguments(fsName, options, device, mountPath);
        var started = _timeProvider.GetTimestamp();
        var result = await _processRunner.RunAsync(Mount, arguments, _configuration.CommandTimeout, cancellationToken);
        if (result.ExitCode != 0)
        {
            var said = result.OutputTail();
            throw new CommandFailedException(
                Mount,
                arguments,
                result.ExitCode,
                said,
                $"mounting {device} ({fsName}) at {mountPath} failed: 'mount {string.Join(' ', arguments)}' exited with {result.ExitCode}: "
                + $"{(said.Length == 0 ? "it printed nothing" : said)}. Check the mount options and 'dmesg' for the kernel's reason.");
        }

        var elapsedMs = _timeProvider.GetElapsedTime(started).TotalMilliseconds;
        var joined = string.Join(',', options);
        _logger.Mounted(device, fsName, mountPath, joined, elapsedMs);
    }

    private UnsafeOperationException Refuse(string device, string mountPath, string message)
    {
        _logger.Refused(device, mountPath, message);
        return new UnsafeOperationException(message);
    }
}
