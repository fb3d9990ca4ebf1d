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
