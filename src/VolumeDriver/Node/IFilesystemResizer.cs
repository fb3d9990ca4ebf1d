namespace VolumeDriver.Node;

/// <summary>The node's half of a resize: make the kernel see the disk's new size, then grow the filesystem online.</summary>
internal interface IFilesystemResizer
{
    /// <summary>
    /// Grows the filesystem mounted at the path from the device to fill the device. Idempotent: a
    /// filesystem that already fills the device is success.
    /// </summary>
    Task<FilesystemResizeOutcome> ResizeAsync(FilesystemResizeRequest request, CancellationToken cancellationToken);
}

/// <summary>What <see cref="IFilesystemResizer.ResizeAsync"/> did.</summary>
/// <param name="ResolvedDevice">The kernel device the path resolved to (such as /dev/loop3).</param>
/// <param name="FsType">The filesystem that was grown (ext4 or xfs).</param>
/// <param name="DeviceBytes">The device's size as the kernel reports it.</param>
internal sealed record FilesystemResizeOutcome(string ResolvedDevice, string FsType, long DeviceBytes);
