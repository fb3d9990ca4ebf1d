using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace VolumeDriver.Host;

/// <summary>
/// Tells whether the driver could create files in a directory, and whether that filesystem keeps
/// sparse files sparse, by creating (and removing) one dot-named probe file. A directory that does
/// not exist yet is probed through its nearest existing ancestor, where the driver would create it;
/// the directory itself is not created.
/// </summary>
internal static partial class DirectoryProbe
{
    private const long ProbeLength = 16L << 20;
    private const int SeekData = 3;
    private const int NoSuchDeviceOrAddress = 6;

    public static DirectoryProbeResult Probe(string directory)
    {
        var full = Path.GetFullPath(directory);
        var exists = Directory.Exists(full);
        if (!exists && PathInspector.InspectTarget(full) is not PathKind.Missing and var kind)
        {
            return new DirectoryProbeResult(full, exists, null, $"it is {PathInspector.Describe(kind)}, not a directory", null);
        }

        var probed = exists ? full : NearestExistingAncestor(full);
        if (probed is null)
        {
            return new DirectoryProbeResult(full, exists, null, "a file is in the way of the directory, or no part of the path exists", null);
        }

        var probe = Path.Join(probed, $".volume-driver-doctor-{Guid.NewGuid():N}.tmp");
        try
        {
            using var handle = File.OpenHandle(probe, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.None);
            RandomAccess.SetLength(handle, ProbeLength);
            return new DirectoryProbeResult(full, exists, probed, null, IsSparse(handle));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new DirectoryProbeResult(full, exists, probed, e.Message, null);
        }
        finally
        {
            File.Delete(probe);
        }
    }

    /// <summary>
    /// lseek(SEEK_DATA) on a file that was only truncated to a length: a filesystem that keeps holes
    /// answers ENXIO (no data anywhere); one that allocated the range answers offset 0.
    /// </summary>
    private static bool? IsSparse(SafeFileHandle handle)
    {
        var offset = Lseek(handle, 0, SeekData);
        if (offset == 0)
        {
            return false;
        }

        return offset < 0 && Marshal.GetLastPInvokeError() == NoSuchDeviceOrAddress ? true : null;
    }

    private static string? NearestExistingAncestor(string path)
    {
        for (var current = Path.GetDirectoryName(path); current is not null; current = Path.GetDirectoryName(current))
        {
            if (Directory.Exists(current))
            {
                return current;
            }

            if (File.Exists(current))
            {
                return null;
            }
        }

        return null;
    }

    [LibraryImport("libc", EntryPoint = "lseek", SetLastError = true)]
    private static partial long Lseek(SafeFileHandle fd, long offset, int whence);
}
