namespace VolumeDriver.Host;

/// <summary>One line of /proc/self/mountinfo, with its octal escapes (\040 and the like) decoded.</summary>
/// <param name="Major">The major number of the mounted device (st_dev).</param>
/// <param name="Minor">The minor number of the mounted device.</param>
/// <param name="Root">The path within the filesystem that is mounted (not "/" for a bind mount of a subdirectory).</param>
/// <param name="MountPoint">Where it is mounted.</param>
/// <param name="FsType">The filesystem type (ext4, xfs, tmpfs...).</param>
/// <param name="Source">The mount source, such as /dev/loop3.</param>
internal sealed record MountEntry(
    int MountId,
    int ParentId,
    uint Major,
    uint Minor,
    string Root,
    string MountPoint,
    string MountOptions,
    string FsType,
    string Source,
    string SuperOptions)
{
    /// <summary>The mount itself is read-only (per-mount options, as mount -o ro sets them).</summary>
    public bool IsReadOnly => MountOptions.Split(',').Contains("ro", StringComparer.Ordinal);
}
