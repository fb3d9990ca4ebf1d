namespace VolumeDriver.Domain;

/// <summary>The filesystems the driver creates and mounts.</summary>
internal enum FsType
{
    Ext4,
    Xfs,
}
