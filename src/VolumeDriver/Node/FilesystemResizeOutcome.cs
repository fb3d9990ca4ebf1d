namespace VolumeDriver.Node;

/// <summary>What <see cref="IFilesystemResizer.ResizeAsync"/> did.</summary>
/// <param name="ResolvedDevice">The kernel device the path resolved to (such as /dev/loop3).</param>
/// <param name="FsType">The filesystem that was grown (ext4 or xfs).</param>
/// <param name="DeviceBytes">The device's size as the kernel reports it.</param>
internal sealed record FilesystemResizeOutcome(string ResolvedDevice, string FsType, long DeviceBytes);
