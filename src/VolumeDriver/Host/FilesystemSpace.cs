using System.Runtime.InteropServices;

namespace VolumeDriver.Host;

/// <summary>
/// What statfs(2) says about the filesystem holding a path: the space an unprivileged writer may
/// still use, its type, and so the largest file it can hold. The buffer is <c>struct statfs</c> of
/// 64-bit Linux, where every field is a 64-bit word.
/// </summary>
/// <param name="AvailableBytes">f_bavail × f_bsize: free space outside the root-reserved blocks.</param>
internal sealed partial record FilesystemSpace(long AvailableBytes, long BlockSize, long TypeMagic, long MaxNameBytes)
{
    public const long Ext4Magic = 0xEF53;
    public const long XfsMagic = 0x58465342;
    public const long BtrfsMagic = 0x9123683E;
    public const long TmpfsMagic = 0x01021994;

    /// <summary>ext4 addresses a file's blocks with 32-bit logical block numbers.</summary>
    private const long Ext4MaxBlocks = (1L << 32) - 1;

    /// <summary>Like ext4 with its default 4 KiB blocks: 16 TiB - 4 KiB.</summary>
    public long? MaxFileBytes => TypeMagic switch
    {
        Ext4Magic => Ext4MaxBlocks * BlockSize,
        XfsMagic or BtrfsMagic or TmpfsMagic => long.MaxValue,
        _ => null,
    };

    /// <summary>"ext4", "xfs"... for messages.</summary>
    public string TypeName => TypeMagic switch
    {
        Ext4Magic => "ext2/3/4",
        XfsMagic => "xfs",
        BtrfsMagic => "btrfs",
        TmpfsMagic => "tmpfs",
        _ => FormattableString.Invariant($"type 0x{TypeMagic:x}"),
    };

    /// <summary>statfs of <paramref name="path"/>, or null when it cannot be asked (the path is missing).</summary>
    public static FilesystemSpace? Read(string path)
    {
        var buffer = new long[15];
        if (StatfsNative(path, buffer) != 0)
        {
            return null;
        }

        return new FilesystemSpace(AvailableBytes: buffer[4] * buffer[1], BlockSize: buffer[1], TypeMagic: buffer[0], MaxNameBytes: buffer[8]);
    }

    [LibraryImport("libc", EntryPoint = "statfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatfsNative(string path, [Out] long[] buffer);
}
