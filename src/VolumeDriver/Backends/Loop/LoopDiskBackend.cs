using Microsoft.Extensions.Logging;
using VolumeDriver.Configuration;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.Host;
using VolumeDriver.Locking;

namespace VolumeDriver.Backends.Loop;

/// <summary>
/// Disks as sparse image files under one directory, attached as loop devices on this machine. It is
/// the backend a newcomer sees working on one machine, and the one the real-Linux tests drive. Its
/// "VM" is this machine: a disk can only be attached to the node the driver runs on, and attach and
/// detach are serialised by that node's VM lock so concurrent verbs never race losetup.
/// </summary>
internal sealed class LoopDiskBackend : ICloudDisk
{
    /// <summary>
    /// The longest volume name this backend takes. An image is created as ".NAME.&lt;32 hex&gt;.tmp"
    /// and renamed to "NAME.img", and both names must fit the 255-byte limit that ext4, xfs, btrfs
    /// and tmpfs put on a file name (volume names are ASCII, so a character is a byte).
    /// </summary>
    public const int MaxNameLength = MaxFileNameBytes - TemporaryNameOverhead;

    /// <summary>Images are sized up to whole MiB so the device size is always sector-aligned.</summary>
    private const long SizeGranularity = 1L << 20;

    private const int MaxFileNameBytes = 255;

    /// <summary>What the temporary name adds to the volume name: "." + "." + 32 hex digits + ".tmp".</summary>
    private const int TemporaryNameOverhead = 38;

    /// <summary>PATH_MAX less its terminating NUL: the longest path the kernel takes.</summary>
    private const int MaxPathBytes = 4095;

    private readonly LoopConfiguration _configuration;
    private readonly NodeName _localNode;
    private readonly HostRoot _host;
    private readonly LoopDevices _loopDevices;
    private readonly IMountTable _mountTable;
    private readonly IProcessRunner _processRunner;
    private readonly IVmLockProvider _locks;
    private readonly LockConfiguration _lockConfiguration;
    private readonly TimeSpan _commandTimeout;
    private readonly ILogger<LoopDiskBackend> _logger;

    public LoopDiskBackend(
        LoopConfiguration configuration,
        NodeName localNode,
        HostRoot host,
        LoopDevices loopDevices,
        IMountTable mountTable,
        IProcessRunner processRunner,
        IVmLockProvider locks,
        LockConfiguration lockConfiguration,
        TimeSpan commandTimeout,
        ILogger<LoopDiskBackend> logger)
    {
        _configuration = configuration;
        _localNode = localNode;
        _host = host;
        _loopDevices = loopDevices;
        _mountTable = mountTable;
        _processRunner = processRunner;
        _locks = locks;
        _lockConfiguration = lockConfiguration;
        _commandTimeout = commandTimeout;
        _logger = logger;
    }

    public async Task<DiskInfo> ProvisionAsync(DiskRequest request, CancellationToken cancellationToken)
    {
        var image = ImagePath(request.Name);
        if (ImageExists(request.Name, image))
        {
            var existing = new ByteSize(new FileInfo(image).Length);
            if (request.Size is { } wanted && wanted.Bytes > existing.Bytes)
            {
                LoopLog.ExistingImageSmaller(_logger, request.Name.Value, existing.ToString(), wanted.ToString());
            }

            return new DiskInfo(request.Name, existing, Created: false);
        }

        var size = request.Size ?? throw new InvalidOptionException(
            OptionKeys.Size,
            $"volume {request.Name} does not exist yet and the options give no size to create it with; set the option size (for example 1Gi)");
        var bytes = RoundUp(size);
        ConfiguredDirectory.Create(_configuration.Directory, ConfigurationKeys.LoopDirectory);
        CheckRoom(request.Name, bytes, bytes, "create");

        // Create under a temporary name and link it into place without replacing anything, so a
        // crash leaves either no image or a complete one, and two creators never both win.
        var temporary = Path.Join(_configuration.Directory, $".{request.Name}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var file = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            {
                file.SetLength(bytes);
                await file.FlushAsync(cancellationToken);
            }

            File.Move(temporary, image, overwrite: false);
        }
        catch (IOException) when (ImageExists(request.Name, image))
        {
            // Another process created it first; theirs is as good as ours.
            return new DiskInfo(request.Name, new ByteSize(new FileInfo(image).Length), Created: false);
        }
        catch (ArgumentOutOfRangeException)
        {
            // ftruncate's EFBIG, should the filesystem's limit be lower than the one CheckRoom knows.
            throw TooLarge(request.Name, bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw ConfiguredDirectory.Unusable(_configuration.Directory, ConfigurationKeys.LoopDirectory, e);
        }
        finally
        {
            File.Delete(temporary);
        }

        LoopLog.Created(_logger, request.Name.Value, image, bytes);
        RemoveAbandonedTemporaries(request.Name);
        return new DiskInfo(request.Name, new ByteSize(bytes), Created: true);
    }

    /// <summary>
    /// Deletes temporary images of this volume that a create killed before its rename left behind.
    /// Safe once the image exists: a creator still writing one of them fails its rename, finds the
    /// image, and uses it. Only this volume's exact temporary names match, never another volume's.
    /// </summary>
    private void RemoveAbandonedTemporaries(VolumeName name)
    {
        var prefix = "." + name.Value + ".";
        foreach (var path in Directory.EnumerateFiles(_configuration.Directory, prefix + "*.tmp"))
        {
            var middle = Path.GetFileName(path)[prefix.Length..^".tmp".Length];
            if (middle.Length == 32 && middle.All(char.IsAsciiHexDigitLower))
            {
                File.Delete(path);
                LoopLog.RemovedAbandonedTemporary(_logger, name.Value, path);
            }
        }
    }

    public async Task<AttachResult> AttachAsync(DiskRequest request, NodeName node, CancellationToken cancellationToken)
    {
        RequireLocal(node, "attach");
        await ProvisionAsync(request, cancellationToken);
        var image = ResolvedImagePath(request.Name);
        await using var vmLock = await _locks.AcquireAsync(_localNode.Value, _lockConfiguration.Timeout, cancellationToken);

        var existing = await _loopDevices.FindByBackingFileAsync(image, cancellationToken);
        if (existing.Count > 0)
        {
            LoopLog.AlreadyAttached(_logger, request.Name.Value, existing[0].DevicePath);
            return new AttachResult(existing[0].DevicePath);
        }

        // --nooverlap makes losetup itself reuse a device already bound to this file: a second
        // line of defence should another tool have attached it since we looked.
        string[] arguments = ["--find", "--show", "--nooverlap", image];
        var result = await _processRunner.RunAsync("losetup", arguments, _commandTimeout, cancellationToken);
        var device = result.Stdout.Trim();
        if (result.ExitCode != 0 || !device.StartsWith("/dev/loop", StringComparison.Ordinal))
        {
            throw new CommandFailedException("losetup", arguments, result.ExitCode, result.OutputTail(), $"attaching volume {request.Name} failed: losetup {string.Join(' ', arguments)} exited {result.ExitCode}: {result.OutputTail()}");
        }

        LoopLog.Attached(_logger, request.Name.Value, device);
        return new AttachResult(device);
    }

    public async Task<bool> IsAttachedAsync(DiskRequest request, NodeName node, CancellationToken cancellationToken)
    {
        if (!node.Matches(_localNode) || !ImageExists(request.Name, ImagePath(request.Name)))
        {
            return false;
        }

        var devices = await _loopDevices.FindByBackingFileAsync(ResolvedImagePath(request.Name), cancellationToken);
        return devices.Count > 0;
    }

    public async Task DetachAsync(VolumeName volume, NodeName node, CancellationToken cancellationToken)
    {
        if (!node.Matches(_localNode))
        {
            // A loop disk can only ever be attached here, so it is not attached to that node.
            LoopLog.NotAttachedToForeignNode(_logger, volume.Value, node.Value);
            return;
        }

        if (!ImageExists(volume, ImagePath(volume)))
        {
            return;
        }

        var image = ResolvedImagePath(volume);
        await using var vmLock = await _locks.AcquireAsync(_localNode.Value, _lockConfiguration.Timeout, cancellationToken);
        var devices = await _loopDevices.FindByBackingFileAsync(image, cancellationToken);
        if (devices.Count == 0)
        {
            return;
        }

        // Never pull a disk from under a filesystem or anything else that uses it: losetup -d on a busy
        // device only schedules an auto-clear and reports success, which would hide that the volume
        // is still in use. Our own mount table names the mount point; the exclusive-open probe also
        // catches mounts in other mount namespaces and stacked devices.
        var mounts = await _mountTable.ReadAsync(cancellationToken);
        foreach (var device in devices)
        {
            var mount = mounts.FirstOrDefault(m => m.Major == device.Major && m.Minor == device.Minor);
            if (mount is not null)
            {
                throw new UnsafeOperationException($"refusing to detach volume {volume}: {device.DevicePath} is still mounted at {mount.MountPoint}; unmount it first (unmountdevice {mount.MountPoint})");
            }

            if (_loopDevices.InUseReason(device) is { } reason)
            {
                throw new UnsafeOperationException($"refusing to detach volume {volume}: {reason}; stop what uses it, then retry");
            }
        }

        foreach (var device in devices)
        {
            string[] arguments = ["--detach", device.DevicePath];
            var result = await _processRunner.RunAsync("losetup", arguments, _commandTimeout, cancellationToken);
            var stillBound = (await _loopDevices.FindByBackingFileAsync(image, cancellationToken)).Any(d => d.DevicePath == device.DevicePath);
            if (stillBound)
            {
                throw new CommandFailedException(
                    "losetup",
                    arguments,
                    result.ExitCode,
                    result.OutputTail(),
                    $"detaching volume {volume} failed: {device.DevicePath} is still bound to its image after losetup --detach (exit {result.ExitCode}: {result.OutputTail()}); something opened it meanwhile. Find it with 'fuser -v {device.DevicePath}' and retry the detach");
            }

            LoopLog.Detached(_logger, volume.Value, device.DevicePath);
        }
    }

    public async Task DeleteAsync(VolumeName volume, CancellationToken cancellationToken)
    {
        var image = ImagePath(volume);
        if (!ImageExists(volume, image))
        {
            LoopLog.AlreadyDeleted(_logger, volume.Value);
            return;
        }

        await using var vmLock = await _locks.AcquireAsync(_localNode.Value, _lockConfiguration.Timeout, cancellationToken);
        var devices = await _loopDevices.FindByBackingFileAsync(ResolvedImagePath(volume), cancellationToken);
        if (devices.Count > 0)
        {
            throw new UnsafeOperationException($"refusing to delete volume {volume}: it is attached as {devices[0].DevicePath}; detach it first (detach {volume} {_localNode})");
        }

        File.Delete(image);
        LoopLog.Deleted(_logger, volume.Value, image);
    }

    public async Task<IReadOnlyList<VolumeSummary>> ListAsync(CancellationToken cancellationToken)
    {
        var directory = new DirectoryInfo(_configuration.Directory);
        if (!directory.Exists)
        {
            return [];
        }

        var devices = await _loopDevices.ListAsync(cancellationToken);
        var volumes = new List<VolumeSummary>();
        foreach (var image in directory.EnumerateFiles("*.img").OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            // Dot names are images being created (or probes); other names no verb can address.
            if (image.Name.StartsWith('.') || !VolumeName.TryCreate(Path.GetFileNameWithoutExtension(image.Name), out var name, out _))
            {
                continue;
            }

            var backingFile = ResolvedImagePath(name.Value);
            var device = devices.FirstOrDefault(d => !d.BackingFileDeleted && d.BackingFile == backingFile);
            volumes.Add(new VolumeSummary(name.Value, new ByteSize(image.Length), Sku: null, device is null ? null : _localNode, device?.DevicePath));
        }

        return volumes;
    }

    /// <summary>
    /// Grows the image (sparse: only the length changes) and then makes every loop device attached to
    /// it pick up the new length with <c>losetup --set-capacity</c>, which works while the device is
    /// mounted. Runs under the VM lock, like attach, detach and delete, so the image cannot be
    /// deleted or attached half way. The devices are brought up to the image's length even when the
    /// image already had the size, so a retry after a crash between the two steps converges.
    /// </summary>
    public async Task<ByteSize> ResizeAsync(DiskRequest request, ByteSize newSize, CancellationToken cancellationToken)
    {
        var image = ImagePath(request.Name);
        var wanted = RoundUp(newSize);
        await using var vmLock = await _locks.AcquireAsync(_localNode.Value, _lockConfiguration.Timeout, cancellationToken);
        if (!ImageExists(request.Name, image))
        {
            throw new DiskOperationException(
                $"cannot resize volume {request.Name}: it does not exist (no image {image} on node {_localNode}); "
                + "check the volume name, and that the loop backend runs on the machine that holds its images");
        }

        long length;
        var grown = false;
        await using (var file = new FileStream(image, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Write, Share = FileShare.ReadWrite }))
        {
            length = file.Length;
            if (wanted < length)
            {
                throw new DiskOperationException(
                    $"refusing to shrink volume {request.Name}: it is {Describe(length)} and the request asks for {Describe(newSize.Bytes)}; "
                    + $"this driver never shrinks a disk, because that would cut off the data at its end. Ask for at least {Describe(length)}.");
            }

            // Upward only: SetLength below the current length would truncate the image.
            if (wanted > length)
            {
                CheckRoom(request.Name, wanted, wanted - length, "grow");
                try
                {
                    file.SetLength(wanted);
                }
                catch (ArgumentOutOfRangeException)
                {
                    throw TooLarge(request.Name, wanted);
                }

                file.Flush(flushToDisk: true);
                LoopLog.Grown(_logger, request.Name.Value, image, length, wanted);
                length = wanted;
                grown = true;
            }
        }

        if (!grown)
        {
            LoopLog.AlreadySized(_logger, request.Name.Value, length);
        }

        foreach (var device in await _loopDevices.FindByBackingFileAsync(ResolvedImagePath(request.Name), cancellationToken))
        {
            await SetCapacityAsync(request.Name, device, length, force: grown, cancellationToken);
        }

        return new ByteSize(length);
    }

    public DiskIdentity IdentityFor(DiskRequest request, string? attachedDevicePath) =>
        new LoopBackingFileIdentity(ResolvedImagePath(request.Name));

    /// <summary>Images are whole MiB, so the device size is always sector-aligned.</summary>
    private static long RoundUp(ByteSize size) => (size.Bytes + SizeGranularity - 1) / SizeGranularity * SizeGranularity;

    private static string Describe(long bytes) => FormattableString.Invariant($"{new ByteSize(bytes)} ({bytes} bytes)");

    /// <summary>
    /// Tells the kernel the image behind <paramref name="device"/> is now <paramref name="length"/>
    /// bytes (when it was just grown, or the device still shows less), and checks in sysfs that it
    /// took: a device the kernel still sees smaller would let expandfs "succeed" at the old size.
    /// </summary>
    private async Task SetCapacityAsync(VolumeName volume, LoopDevice device, long length, bool force, CancellationToken cancellationToken)
    {
        var before = await _loopDevices.ReadSizeAsync(device, cancellationToken);
        if (before is null)
        {
            // Detached by someone else since the listing: nothing to update.
            return;
        }

        if (!force && before.Value >= length)
        {
            return;
        }

        string[] arguments = ["--set-capacity", device.DevicePath];
        var result = await _processRunner.RunAsync("losetup", arguments, _commandTimeout, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new CommandFailedException("losetup", arguments, result.ExitCode, result.OutputTail(), $"volume {volume} was grown to {Describe(length)}, but 'losetup --set-capacity {device.DevicePath}' exited {result.ExitCode}: {result.OutputTail()}; the device still has its old size. Retry expandvolume.");
        }

        var after = await _loopDevices.ReadSizeAsync(device, cancellationToken);
        if (after is not null && after.Value < length)
        {
            throw new DiskOperationException(
                $"volume {volume} was grown to {Describe(length)}, but after 'losetup --set-capacity {device.DevicePath}' the kernel still reports {Describe(after.Value)} for {device.DevicePath} "
                + $"(/sys/block/{Path.GetFileName(device.DevicePath)}/size); check 'losetup --list {device.DevicePath}' for a size limit.");
        }

        LoopLog.CapacitySet(_logger, volume.Value, device.DevicePath, after ?? length);
    }

    /// <summary>
    /// The volume's image path, once its name is known to fit (<see cref="MaxNameLength"/>), and the
    /// path with it (PATH_MAX): both are refused here, before anything is created.
    /// </summary>
    private string ImagePath(VolumeName name)
    {
        if (name.Value.Length > MaxNameLength)
        {
            throw new InvalidOptionException(
                OptionKeys.PvOrVolumeName,
                FormattableString.Invariant($"volume name '{PrintableText.Of(name.Value, 40)}' is {name.Value.Length} characters long; the loop backend takes names of at most {MaxNameLength} characters, because its image file (and the temporary name it is created under) must fit the filesystem's {MaxFileNameBytes}-byte limit on a file name"));
        }

        var image = Path.Join(_configuration.Directory, name.Value + ".img");
        if (System.Text.Encoding.UTF8.GetByteCount(image) + TemporaryNameOverhead > MaxPathBytes)
        {
            throw new ConfigurationException(
                null,
                ConfigurationKeys.LoopDirectory,
                FormattableString.Invariant($"the image path of volume {name} would be longer than the kernel's limit of {MaxPathBytes} bytes: {ConfigurationKeys.LoopDirectory} is {_configuration.Directory.Length} characters long; set it to a shorter directory"));
        }

        return image;
    }

    /// <summary>
    /// Whether the volume's image exists. Anything but a regular file in its place is refused: a
    /// symlink would have the driver attach (and perhaps format) whatever file it points at, and a
    /// directory, FIFO or device is no disk image.
    /// </summary>
    private static bool ImageExists(VolumeName name, string image) => PathInspector.InspectLink(image) switch
    {
        PathKind.Missing => false,
        PathKind.RegularFile => true,
        PathKind.SymbolicLink => throw new UnsafeOperationException(
            $"refusing volume {name}: its image {image} is a symbolic link. The loop backend never follows one there, since it would attach, and might format, whatever file the link points at; "
            + $"move the real image file to {image} (or remove the link) and retry"),
        var kind => throw new UnsafeOperationException(
            $"refusing volume {name}: its image {image} is {PathInspector.Describe(kind)}, not a regular file, so it is no disk image; move it out of {ConfigurationKeys.LoopDirectory} and retry"),
    };

    /// <summary>
    /// Refuses an image the filesystem cannot hold (ext4 files end at 16 TiB with 4 KiB blocks), or
    /// whose <paramref name="addedBytes"/> exceed the free space times loop.overcommit: a sparse
    /// image promised beyond the free space fails its writes, and the host's, once the disk fills.
    /// </summary>
    private void CheckRoom(VolumeName name, long length, long addedBytes, string verb)
    {
        var space = FilesystemSpace.Read(_configuration.Directory);
        if (space is null)
        {
            return;
        }

        if (space.MaxFileBytes is { } max && length > max)
        {
            throw new InvalidOptionException(
                OptionKeys.Size,
                $"cannot {verb} volume {name} at {Describe(length)}: {_configuration.Directory} is on {space.TypeName}, which holds files of at most {new ByteSize(max).ToApproximateString()}; ask for less, or put {ConfigurationKeys.LoopDirectory} on xfs");
        }

        var ratio = _configuration.Overcommit;
        var allowed = (long)Math.Min(space.AvailableBytes * ratio, long.MaxValue);
        if (addedBytes > allowed)
        {
            var what = verb == "create" ? $"an image of {Describe(addedBytes)}" : $"a growth of {Describe(addedBytes)}";
            throw new InvalidOptionException(
                OptionKeys.Size,
                FormattableString.Invariant($"refusing to {verb} volume {name}: {what} exceeds the free space of {_configuration.Directory}, {new ByteSize(space.AvailableBytes).ToApproximateString()}, times {ConfigurationKeys.LoopOvercommit} {ratio}: {new ByteSize(allowed).ToApproximateString()}. ")
                + $"Sparse images promised beyond the free space fail their writes once the disk fills. Free space there, ask for less, or raise {ConfigurationKeys.LoopOvercommit}");
        }
    }

    private InvalidOptionException TooLarge(VolumeName name, long length) =>
        new(OptionKeys.Size, $"volume {name} cannot be {Describe(length)}: the filesystem of {_configuration.Directory} cannot hold a file that large; ask for less, or put {ConfigurationKeys.LoopDirectory} on xfs");

    /// <summary>The image path as the kernel reports it in backing_file: every symlink resolved.</summary>
    private string ResolvedImagePath(VolumeName name)
    {
        return HostPaths.ResolveLinks(_host, ImagePath(name));
    }

    private void RequireLocal(NodeName node, string verb)
    {
        if (!node.Matches(_localNode))
        {
            throw new DiskOperationException($"cannot {verb} on node {node}: the loop backend keeps disks on the machine it runs on, which is node {_localNode} (set nodeName in the configuration if this machine's node name differs from its host name)");
        }
    }
}
