using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace VolumeDriver.Host;

/// <summary>
/// The few libc calls .NET does not expose: open(2) with flags of our choosing (directories too),
/// fsync(2) of such a descriptor, flock(2), and lseek(2) to learn a block device's size (a file's
/// type comes from <see cref="PathInspector"/>).
/// FileStream cannot be used for these: it takes a flock of its own on every file it opens.
/// </summary>
internal static partial class LibC
{
    public const int ReadOnly = 0x0;
    public const int ReadWrite = 0x2;
    public const int Create = 0x40;
    public const int Exclusive = 0x80;
    public const int Directory = 0x10000;
    public const int CloseOnExec = 0x80000;

    public const int SeekEnd = 2;

    public const int LockExclusive = 2;
    public const int LockNonBlocking = 4;

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

    /// <summary>fsync(2): 0 on success, else the errno.</summary>
    public static int Fsync(SafeFileHandle handle) => FsyncNative(handle) == 0 ? 0 : Marshal.GetLastPInvokeError();

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenNative(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FsyncNative(SafeFileHandle fd);

    [LibraryImport("libc", EntryPoint = "lseek", SetLastError = true)]
    private static partial long LseekNative(SafeFileHandle fd, long offset, int whence);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(SafeFileHandle fd, int operation);
}
