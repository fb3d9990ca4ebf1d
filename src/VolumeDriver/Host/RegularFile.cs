namespace VolumeDriver.Host;

/// <summary>
/// Reads a small local file, synchronously (a few KiB at most) (a configuration, azure.json) that must be a regular file: it is opened with
/// O_NONBLOCK, so a FIFO in its place cannot stall the verb waiting for a writer, checked on the
/// open descriptor, and read up to a size limit. Symlinks are followed (ConfigMaps are symlinks).
/// </summary>
internal static class RegularFile
{
    private const int NonBlocking = 0x800;

    /// <summary>
    /// The file's bytes; an <see cref="IOException"/> (<see cref="FileNotFoundException"/> when it is
    /// missing) or <see cref="UnauthorizedAccessException"/> with a sentence when it is not a readable
    /// regular file of at most <paramref name="maxBytes"/>.
    /// </summary>
    public static byte[] Read(string path, int maxBytes)
    {
        using var handle = LibC.Open(path, LibC.ReadOnly | NonBlocking, 0, out var errno);
        if (handle.IsInvalid)
        {
            throw errno switch
            {
                2 => new FileNotFoundException($"'{path}' does not exist."),
                13 => new UnauthorizedAccessException($"Permission to read '{path}' is denied."),
                _ => new IOException($"'{path}' cannot be opened (errno {errno})."),
            };
        }

        var kind = PathInspector.Inspect(handle);
        if (kind != PathKind.RegularFile)
        {
            throw new IOException($"'{path}' is {PathInspector.Describe(kind)}, not a regular file.");
        }

        var buffer = new byte[maxBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = RandomAccess.Read(handle, buffer.AsSpan(length), length)) > 0)
        {
            length += read;
        }

        if (length > maxBytes)
        {
            throw new IOException($"'{path}' is larger than {maxBytes / 1024} KiB, which the file it should be never is.");
        }

        return buffer[..length];
    }
}
