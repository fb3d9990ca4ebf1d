using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace VolumeDriver.Host;

/// <summary>
/// The few libc calls .NET does not expose: open(2) with flags of our choosing (directories too),
/// fsync(2) of such a descriptor, flock(2), lseek(2) to learn a block device's size, write(2) of a
/// whole buffer, and the identity (device and inode) and size of a descriptor or a path, from
/// fstat(2) and stat(2). A file's type comes from <see cref="PathInspector"/>.
/// FileStream cannot be used for these: it takes a flock of its own on every file it opens.
/// </summary>
internal static partial class LibC
{
    public const int ReadOnly = 0x0;
    public const int ReadWrite = 0x2;
    public const int Create = 0x40;
    public const int Exclusive = 0x80;
    public const int WriteOnly = 0x1;
    public const int Append = 0x400;
    public const int Directory = 0x10000;
    public const int CloseOnExec = 0x80000;

    public const int SeekEnd = 2;

    public const int LockExclusive = 2;
    public const int Unlock = 8;
    public const int LockNonBlocking = 4;

    public const int NoSuchFile = 2;
    public const int Interrupted = 4;
    public const int WouldBlock = 11;
    public const int Busy = 16;

    /// <summary>Opens a path; the result is invalid (and <paramref name="errno"/> set) on failure.</summary>
    public static SafeFileHandle Open(string path, int flags, int mode, out int errno)
    {
        var fd = OpenNative(path, flags | CloseOnExec, mode);
        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return new SafeFileHandle(fd, ownsHandle: fd >= 0);
    }

    /// <summary>
    /// Opens a path WITHOUT close-on-exec: every process started while the handle is open inherits
    /// the descriptor (and with it any flock taken on it), and keeps it after we die.
    /// </summary>
    public static SafeFileHandle OpenInheritable(string path, int flags, int mode, out int errno)
    {
        var fd = OpenNative(path, flags & ~CloseOnExec, mode);
        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return new SafeFileHandle(fd, ownsHandle: fd >= 0);
    }

    /// <summary>The size of what the descriptor refers to (a block device too, where fstat reports 0), or -1 with the errno.</summary>
    public static long SizeBySeek(SafeFileHandle handle, out int errno)
    {
        var size = LseekNative(handle, 0, SeekEnd);
        errno = size < 0 ? Marshal.GetLastPInvokeError() : 0;
        return size;
    }

    /// <summary>flock(fd, LOCK_EX | LOCK_NB), retried on EINTR: true when taken, false when held elsewhere.</summary>
    public static bool TryLockExclusive(SafeFileHandle handle, string pathForErrors)
    {
        while (true)
        {
            if (Flock(handle, LockExclusive | LockNonBlocking) == 0)
            {
                return true;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == WouldBlock)
            {
                return false;
            }

            if (errno != Interrupted)
            {
                throw new IOException($"flock failed on {pathForErrors} with errno {errno}");
            }
        }
    }

    /// <summary>flock(fd, operation), waiting for the lock and retried on EINTR: 0 on success, else the errno.</summary>
    public static int FlockWaiting(SafeFileHandle handle, int operation)
    {
        while (Flock(handle, operation) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno != Interrupted)
            {
                return errno;
            }
        }

        return 0;
    }

    /// <summary>
    /// write(2) of the whole buffer: one call unless the kernel writes less (then the rest follows),
    /// retried on EINTR. 0 on success, else the errno.
    /// </summary>
    public static int WriteAll(SafeFileHandle handle, ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var written = WriteNative(handle, bytes, (nuint)bytes.Length);
            if (written < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Interrupted)
                {
                    continue;
                }

                return errno;
            }

            bytes = bytes[(int)written..];
        }

        return 0;
    }

    /// <summary>The identity and size of an open descriptor: fstat(2). 0 on success, else the errno.</summary>
    public static int FileStatus(SafeFileHandle handle, out FileIdentity identity)
    {
        var result = FstatNative(handle, out var buffer);
        identity = new FileIdentity(buffer.Device, buffer.Inode, buffer.Size);
        return result == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>The identity and size of the file a path names now: stat(2). 0 on success, else the errno.</summary>
    public static int FileStatus(string path, out FileIdentity identity)
    {
        var result = StatNative(path, out var buffer);
        identity = new FileIdentity(buffer.Device, buffer.Inode, buffer.Size);
        return result == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>fsync(2): 0 on success, else the errno.</summary>
    public static int Fsync(SafeFileHandle handle) => FsyncNative(handle) == 0 ? 0 : Marshal.GetLastPInvokeError();

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenNative(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint WriteNative(SafeFileHandle fd, ReadOnlySpan<byte> buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "fstat", SetLastError = true)]
    private static partial int FstatNative(SafeFileHandle fd, out StatBuffer buffer);

    [LibraryImport("libc", EntryPoint = "stat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatNative(string path, out StatBuffer buffer);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FsyncNative(SafeFileHandle fd);

    [LibraryImport("libc", EntryPoint = "lseek", SetLastError = true)]
    private static partial long LseekNative(SafeFileHandle fd, long offset, int whence);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(SafeFileHandle fd, int operation);

    /// <summary>
    /// struct stat as glibc lays it out on x86-64 and arm64: st_dev at 0, st_ino at 8 and st_size at
    /// 48 on both; the rest (144 bytes on x86-64, 128 on arm64) is room we do not read.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatBuffer
    {
        [FieldOffset(0)]
        public ulong Device;

        [FieldOffset(8)]
        public ulong Inode;

        [FieldOffset(48)]
        public long Size;
    }
}
