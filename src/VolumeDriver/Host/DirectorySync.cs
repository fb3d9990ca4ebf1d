namespace VolumeDriver.Host;

/// <summary>
/// fsync(2) of a directory, so a rename into it survives a crash. .NET cannot open a directory as a
/// file, so this goes to libc. Failure is reported, not thrown: the rename itself already happened.
/// </summary>
internal static class DirectorySync
{
    /// <summary>Flushes the directory's entries to disk; returns the errno on failure, else 0.</summary>
    public static int Flush(string directory)
    {
        using var handle = LibC.Open(directory, LibC.ReadOnly | LibC.Directory, 0, out var errno);
        return handle.IsInvalid ? errno : LibC.Fsync(handle);
    }
}
