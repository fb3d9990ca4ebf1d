namespace VolumeDriver.Diagnostics;

/// <summary>The external tools the node side runs, and the Debian/Ubuntu package that provides each.</summary>
internal static class NodeTools
{
    /// <summary>kubelet's PATH under systemd, used when the environment has none.</summary>
    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static IReadOnlyList<(string Tool, string Package)> Required { get; } =
    [
        ("blkid", "util-linux"),
        ("wipefs", "util-linux"),
        ("mkfs.ext4", "e2fsprogs"),
        ("mkfs.xfs", "xfsprogs"),
        ("losetup", "mount"),
        ("mount", "mount"),
        ("umount", "mount"),
        ("resize2fs", "e2fsprogs"),
        ("xfs_growfs", "xfsprogs"),
    ];

    /// <summary>The first executable file named <paramref name="tool"/> in the PATH directories, or null.</summary>
    public static string? Find(string tool, string searchPath)
    {
        foreach (var directory in searchPath.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Join(directory, tool);
            if (File.Exists(candidate) && (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
            {
                return candidate;
            }
        }

        return null;
    }
}
