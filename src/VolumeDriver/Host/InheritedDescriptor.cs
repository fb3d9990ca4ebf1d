using System.Runtime.InteropServices;

namespace VolumeDriver.Host;

/// <summary>
/// Tells whether a standard descriptor (0, 1, 2) is the one our parent handed us. When a caller
/// starts the driver with stdin closed (<c>&lt;&amp;-</c>), the lowest free descriptor goes to the
/// first thing the runtime opens, such as its own internal pipe, and reading "stdin" then waits on
/// that pipe forever. Everything opened in this process is close-on-exec (the runtime opens with
/// O_CLOEXEC), while a descriptor inherited across exec never is, so FD_CLOEXEC tells them apart.
/// </summary>
internal static partial class InheritedDescriptor
{
    private const int GetDescriptorFlags = 1;
    private const int CloseOnExecFlag = 1;

    public static bool IsInherited(int fd)
    {
        var flags = Fcntl(fd, GetDescriptorFlags);
        return flags >= 0 && (flags & CloseOnExecFlag) == 0;
    }

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command);
}
