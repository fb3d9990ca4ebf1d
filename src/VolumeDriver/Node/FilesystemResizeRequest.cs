using VolumeDriver.Domain;

namespace VolumeDriver.Node;

/// <summary>What expandfs asks of the node: grow the filesystem mounted from a device to fill it.</summary>
/// <param name="DevicePath">The host path of the block device (may be a symlink such as /dev/disk/by-id/...).</param>
/// <param name="MountPath">The absolute, already validated directory the device is mounted on.</param>
/// <param name="NewSize">The size the disk was grown to; the device must be at least this large.</param>
internal sealed record FilesystemResizeRequest(string DevicePath, string MountPath, ByteSize NewSize);
