namespace VolumeDriver.Host;

/// <summary>
/// Configured files that must be regular files: a configuration or azure.json that is read here,
/// and a certificate or key whose readability is checked before a client uses it. The type is
/// always learnt without a blocking open, because opening a FIFO for reading waits for a writer,
/// which would hang the verb. Symlinks are followed (ConfigMaps and Secrets are symlinks).
/// </summary>
internal static class RegularFile
{
    private const int NonBlocking = 0x800;

    /// <summary>Why <paramref name="path"/> cannot be read as a regular file, as a phrase ("does not exist"), or null when it can.</summary>
    public static string? Problem(string path)
    {
        PathKind kind;
        try
        {
            kind = PathInspector.InspectTarget(path);
        }
        catch (IOException e)
        {
            return $"cannot be examined ({e.Message})";
        }

        switch (kind)
        {
            case PathKind.Missing:
                return "does not exist";
            case PathKind.Directory:
                return "is a directory, not a file";
            case not PathKind.RegularFile:
                return $"is not a regular file (it is {PathInspector.Describe(kind)})";
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
