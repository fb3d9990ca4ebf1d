using VolumeDriver.Domain;

namespace VolumeDriver.Node;

/// <summary>What mountdevice asks of the node: put a filesystem on a device (only if blank) and mount it.</summary>
/// <param name="DevicePath">The host path of the block device (may be a symlink such as /dev/disk/by-id/...).</param>
/// <param name="MountPath">The absolute, already validated directory to mount on.</param>
/// <param name="FsType">The filesystem to create on a blank device and to expect on a formatted one.</param>
/// <param name="ReadOnly">Mount read-only, and never format.</param>
/// <param name="Options">Validated extra mount options.</param>
internal sealed record MountDeviceRequest(
    string DevicePath,
    string MountPath,
    FsType FsType,
    bool ReadOnly,
    MountOptions Options);
