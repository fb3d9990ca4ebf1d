using System.Globalization;
using Microsoft.Extensions.Logging;
using VolumeDriver.Configuration;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.Host;

namespace VolumeDriver.Node;

/// <summary>
/// Grows a mounted filesystem to fill its device, online. Before touching anything it checks that
/// the mount path really is mounted (read-write, the whole filesystem) from that very device, and
/// probes what the device holds; then it asks the kernel to re-read the device's size where the bus
/// allows it (SCSI: <c>device/rescan</c>; loop devices were updated by the backend's
/// <c>losetup --set-capacity</c>), checks that the device did grow, and runs <c>resize2fs DEVICE</c>
/// for ext4 or <c>xfs_growfs MOUNTPATH</c> for xfs. Both tools only ever grow here and succeed on a
/// filesystem that already fills its device.
/// </summary>
internal sealed class FilesystemResizer : IFilesystemResizer
{
    public const string Resize2fs = "resize2fs";
    public const string XfsGrowfs = "xfs_growfs";

    /// <summary>The unit of /sys/class/block/NAME/size, whatever the device's block size.</summary>
    private const long SectorSize = 512;

    /// <summary>The capability the kernel requires to grow a mounted ext4 (EXT4_IOC_RESIZE_FS); its bit in CapEff.</summary>
    private const int CapSysResource = 24;

    private readonly IProcessRunner _processRunner;
    private readonly IMountTable _mountTable;
    private readonly BlockDeviceProbe _probe;
    private readonly HostRoot _hostRoot;
    private readonly NodeConfiguration _configuration;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<FilesystemResizer> _logger;

    public FilesystemResizer(
        IProcessRunner processRunner,
        IMountTable mountTable,
        BlockDeviceProbe probe,
        HostRoot hostRoot,
        NodeConfiguration configuration,
        TimeProvider timeProvider,
        ILogger<FilesystemResizer> logger)
    {
        _processRunner = processRunner;
        _mountTable = mountTable;
        _probe = probe;
        _hostRoot = hostRoot;
        _configuration = configuration;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>The tool and argv that grow a mounted <paramref name="fsType"/> filesystem.</summary>
    public static (string Tool, IReadOnlyList<string> Arguments) Command(FsType fsType, string device, string mountPath) => fsType switch
    {
        // resize2fs grows a mounted ext4 online through the kernel (EXT4_IOC_RESIZE_FS).
        FsType.Ext4 => (Resize2fs, [device]),

        // xfs_growfs works on the mounted filesystem only, named by its mount point.
        FsType.Xfs => (XfsGrowfs, [mountPath]),
        _ => throw new ArgumentOutOfRangeException(nameof(fsType), fsType, "no grow command for this filesystem"),
    };

    public async Task<FilesystemResizeOutcome> ResizeAsync(FilesystemResizeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        // Work on the kernel name from here on, as mountdevice does.
        var device = await BlockDevice.ResolveAsync(_hostRoot, request.DevicePath, cancellationToken);
        var mountPath = HostPaths.ResolveLinks(_hostRoot, request.MountPath);
        var mounted = BlockDevice.TopMount(await _mountTable.ReadAsync(cancellationToken), mountPath);
        CheckMountedFrom(device, mountPath, mounted);

        var contents = await _probe.ProbeAsync(device.Path, cancellationToken);
        var described = contents.Describe();
        _logger.Probed(device.Path, described);
        if (contents is not DeviceContents.Filesystem filesystem || !FsTypes.TryParse(filesystem.Type, out var fsType))
        {
            throw new FilesystemResizeException(device.Path, mountPath, $"cannot grow the filesystem at {mountPath}: {device.Path} holds {contents.Describe()}; this driver grows ext4 and xfs only.");
        }

        if (filesystem.Type != mounted.FsType)
        {
            throw new UnsafeOperationException($"refusing to grow {device.Path}: blkid reports {filesystem.Describe()}, but {mountPath} is mounted as {mounted.FsType}; check 'blkid -p {device.Path}' and /proc/self/mountinfo.");
        }

        await RescanAsync(device, mountPath, cancellationToken);
        var deviceBytes = await ReadSizeAsync(device, mountPath, cancellationToken);
        if (deviceBytes < request.NewSize.Bytes)
        {
            throw new FilesystemResizeException(
                device.Path,
                mountPath,
                FormattableString.Invariant($"cannot grow the filesystem on {device.Path} to {request.NewSize} ({request.NewSize.Bytes} bytes): the kernel reports the device as {deviceBytes} bytes. ")
                + "The disk has not been grown yet (expandvolume), or this node has not seen the new size; kubelet retries expandfs.");
        }

        var (tool, arguments) = Command(fsType.Value, device.Path, mountPath);
        var fsName = FsTypes.Name(fsType.Value);
        var started = _timeProvider.GetTimestamp();
        var result = await _processRunner.RunAsync(tool, arguments, _configuration.CommandTimeout, cancellationToken);
        if (result.ExitCode != 0)
        {
            var said = result.OutputTail();
            var advice = fsType == FsType.Ext4 && await LacksCapabilityAsync(CapSysResource, cancellationToken)
                ? "This process lacks CAP_SYS_RESOURCE, which the kernel requires to grow a mounted ext4 filesystem; run the driver with that capability (kubelet's own process has it)."
                : "Check 'dmesg' for the kernel's reason; kubelet retries expandfs.";
            throw new CommandFailedException(
                tool,
                arguments,
                result.ExitCode,
                said,
                $"growing the {fsName} filesystem on {device.Path} (mounted at {mountPath}) failed: '{tool} {string.Join(' ', arguments)}' exited with {result.ExitCode}: "
                + $"{(said.Length == 0 ? "it printed nothing" : said)}. {advice}");
        }

        var elapsedMs = _timeProvider.GetElapsedTime(started).TotalMilliseconds;
        _logger.FilesystemGrown(device.Path, fsName, mountPath, deviceBytes, elapsedMs);
        return new FilesystemResizeOutcome(device.Path, fsName, deviceBytes);
    }

    /// <summary>The mount path must be this device's read-write mount of its whole filesystem.</summary>
    private void CheckMountedFrom(BlockDevice device, string mountPath, [System.Diagnostics.CodeAnalysis.NotNull] MountEntry? mounted)
    {
        if (mounted is null)
        {
            throw new FilesystemResizeException(device.Path, mountPath, $"cannot grow the filesystem on {device.Path}: nothing is mounted at {mountPath}. This driver grows filesystems online only; mount the volume (mountdevice) and retry expandfs.");
        }

        if (!device.IsSourceOf(mounted) || mounted.Root != "/")
        {
            var message = $"refusing to grow a filesystem at {mountPath}: it is mounted from {mounted.Source} (device {mounted.Major}:{mounted.Minor}"
                + $"{(mounted.Root == "/" ? string.Empty : ", subdirectory " + mounted.Root)}), not from {device.Path} ({device.Major}:{device.Minor}); "
                + "kubelet's devicePath or deviceMountPath is stale, or another volume is mounted there.";
            _logger.Refused(device.Path, mountPath, message);
            throw new UnsafeOperationException(message);
        }

        if (mounted.IsReadOnly)
        {
            throw new FilesystemResizeException(device.Path, mountPath, $"cannot grow the filesystem on {device.Path}: it is mounted read-only at {mountPath}, and a filesystem grows only while mounted read-write. Mount the volume read-write and retry.");
        }
    }

    /// <summary>
    /// Asks the kernel to re-read the device's capacity where its bus has a way to: a SCSI disk
    /// (Azure, vCloud) has <c>/sys/class/block/NAME/device/rescan</c>. Loop devices have no such
    /// file; the loop backend's <c>losetup --set-capacity</c> already told the kernel.
    /// </summary>
    private async Task RescanAsync(BlockDevice device, string mountPath, CancellationToken cancellationToken)
    {
        var rescan = $"{device.SysfsDirectory}/device/rescan";
        if (!File.Exists(_hostRoot.Map(rescan)))
        {
            return;
        }

        try
        {
            await File.WriteAllTextAsync(_hostRoot.Map(rescan), "1", cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FilesystemResizeException(device.Path, mountPath, $"could not ask the kernel to rescan {device.Path} for its new size (writing 1 to {rescan}): {e.Message}", e);
        }

        _logger.Rescanned(device.Path, rescan);
    }

    /// <summary>True when /proc/self/status shows the capability missing from the effective set (for advice only).</summary>
    private async Task<bool> LacksCapabilityAsync(int capability, CancellationToken cancellationToken)
    {
        string status;
        try
        {
            status = await File.ReadAllTextAsync(_hostRoot.Map("/proc/self/status"), cancellationToken);
        }
        catch (IOException)
        {
            // Only advice depends on it: without the file, give the general advice.
            return false;
        }

        var line = status.Split('\n').FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
        return line is not null
            && ulong.TryParse(line["CapEff:".Length..].Trim(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var effective)
            && (effective & (1UL << capability)) == 0;
    }

    private async Task<long> ReadSizeAsync(BlockDevice device, string mountPath, CancellationToken cancellationToken)
    {
        var sizeFile = $"{device.SysfsDirectory}/size";
        var text = (await File.ReadAllTextAsync(_hostRoot.Map(sizeFile), cancellationToken)).Trim();
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var sectors) && sectors <= long.MaxValue / SectorSize
            ? sectors * SectorSize
            : throw new FilesystemResizeException(device.Path, mountPath, $"{sizeFile} holds '{text}', not a number of sectors; cannot tell how large {device.Path} is.");
    }
}
