using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace VolumeDriver.Host;

/// <summary>
/// Tells what a path is (regular file, directory, symlink, FIFO...) with statx(2), whose buffer has
/// the same layout on every architecture. .NET's File and FileInfo cannot tell a FIFO or a device
/// from a regular file, and opening a FIFO to find out blocks until someone writes to it.
/// </summary>
internal static partial class PathInspector
{
    private const int AtCurrentDirectory = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1;
    private const int StatxBufferBytes = 256;
    private const int ModeOffset = 28;
    private const int NoSuchFile = 2;
    private const int NotADirectory = 20;

    /// <summary>The kind of <paramref name="path"/> itself (a symlink is reported, not followed).</summary>
    public static PathKind InspectLink(string path) => Inspect(path, AtSymlinkNoFollow);

    /// <summary>The kind of what <paramref name="path"/> leads to, through any symlinks.</summary>
    public static PathKind InspectTarget(string path) => Inspect(path, 0);

    /// <summary>The kind of the file an open descriptor refers to.</summary>
    public static PathKind Inspect(SafeFileHandle handle)
    {
        var buffer = new byte[StatxBufferBytes];
        return Statx(handle, string.Empty, AtEmptyPath, StatxType, buffer) == 0
            ? KindOf(buffer)
            : throw new IOException($"statx failed on an open file with errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>"a directory", "a FIFO (named pipe)"...: for messages.</summary>
    public static string Describe(PathKind kind) => kind switch
    {
        PathKind.Missing => "missing",
        PathKind.RegularFile => "a regular file",
        PathKind.Directory => "a directory",
        PathKind.SymbolicLink => "a symbolic link",
        PathKind.Fifo => "a FIFO (named pipe)",
        PathKind.Socket => "a socket",
        PathKind.CharacterDevice => "a character device",
        PathKind.BlockDevice => "a block device",
        _ => "not a regular file",
    };

    private static PathKind Inspect(string path, int flags)
    {
        var buffer = new byte[StatxBufferBytes];
        if (StatxPath(AtCurrentDirectory, path, flags, StatxType, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno is NoSuchFile or NotADirectory
                ? PathKind.Missing
                : throw new IOException($"cannot stat '{path}' (errno {errno})");
        }

        return KindOf(buffer);
    }

    private static PathKind KindOf(byte[] buffer) => (BitConverter.ToUInt16(buffer, ModeOffset) & 0xF000) switch
    {
        0x8000 => PathKind.RegularFile,
        0x4000 => PathKind.Directory,
        0xA000 => PathKind.SymbolicLink,
        0x1000 => PathKind.Fifo,
        0xC000 => PathKind.Socket,
        0x2000 => PathKind.CharacterDevice,
        0x6000 => PathKind.BlockDevice,
        _ => PathKind.Other,
    };

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxPath(int directoryFd, string path, int flags, uint mask, [Out] byte[] buffer);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(SafeFileHandle fd, string path, int flags, uint mask, [Out] byte[] buffer);
}
