namespace VolumeDriver.Host;

/// <summary>
/// Whether a configured file (a certificate, a key) can be read: it exists, is a regular file (a
/// symlink to one is fine) and opens for reading. The type is checked before anything is opened,
/// because opening a FIFO for reading blocks until a writer comes, which would hang the verb.
/// </summary>
internal static class RegularFile
{
    /// <summary>Why <paramref name="path"/> cannot be read as a regular file, as a phrase ("does not exist"), or null when it can.</summary>
    public static string? Problem(string path)
    {
        var type = LibC.FileTypeOf(path, out var errno);
        if (type < 0)
        {
            return errno switch
            {
                LibC.NoSuchFile => "does not exist",
                LibC.NotADirectory => "does not exist (a component of its path is not a directory)",
                LibC.PermissionDenied => "cannot be reached (permission denied on a directory of its path)",
                _ => $"cannot be examined (errno {errno})",
            };
        }

        if (type == LibC.TypeDirectory)
        {
            return "is a directory, not a file";
        }

        if (type != LibC.TypeRegular)
        {
            return "is not a regular file (it is a device, a pipe or a socket)";
        }

        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return "cannot be read (permission denied)";
        }
        catch (IOException e)
        {
            return $"cannot be read ({e.Message})";
        }
    }
}
