using VolumeDriver.Errors;
using VolumeDriver.Host;

namespace VolumeDriver.Installation;

/// <summary>
/// Puts a copy of a file at a final path the way kubelet's prober needs it: the bytes go to a
/// dot-prefixed temporary name in the same directory (the prober ignores names starting with '.'),
/// are flushed to disk, get their mode, and are renamed over the final name in one step. kubelet
/// therefore never runs a half-written executable, and a crash leaves the old file or the new one.
/// A target that already holds the same bytes and mode is left alone, so installing is idempotent.
/// </summary>
internal static class AtomicFileInstaller
{
    private const int CopyBufferBytes = 1 << 20;

    /// <param name="mode">The final file's permission bits (applied explicitly, whatever the umask).</param>
    public static async Task<InstalledFile> InstallAsync(string source, string target, UnixFileMode mode, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(target)
            ?? throw new InstallationException(target, $"'{target}' has no parent directory to install into");
        if (PathInspector.InspectLink(target) == PathKind.SymbolicLink)
        {
            // Comparing, chmod-ing or reading through the link would act on the file it points at.
            throw new InstallationException(target, $"refusing to install over '{target}': it is a symbolic link (to {new FileInfo(target).LinkTarget}), not a file this installer wrote; remove the link and run install again");
        }

        var existed = File.Exists(target);
        try
        {
            if (existed && await FileFingerprint.SameContentAsync(source, target, cancellationToken))
            {
                if (File.GetUnixFileMode(target) == mode)
                {
                    return new InstalledFile(target, InstallChange.Unchanged);
                }

                // Same bytes, wrong mode: a chmod is atomic, no copy needed.
                File.SetUnixFileMode(target, mode);
                return new InstalledFile(target, InstallChange.Replaced);
            }

            var temporary = Path.Join(directory, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
            try
            {
                await CopyDurablyAsync(source, temporary, mode, cancellationToken);
                File.Move(temporary, target, overwrite: true);
            }
            finally
            {
                File.Delete(temporary);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InstallationException(target, $"installing '{target}' from '{source}' failed: {e.Message}; check that the directory is writable (install runs as root on the node) and that the disk is not full", e);
        }

        // Make the rename itself durable; the content already is.
        _ = DirectorySync.Flush(directory);
        return new InstalledFile(target, existed ? InstallChange.Replaced : InstallChange.Created);
    }

    private static async Task CopyDurablyAsync(string source, string temporary, UnixFileMode mode, CancellationToken cancellationToken)
    {
        await using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, CopyBufferBytes, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using var output = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = CopyBufferBytes,
            Options = FileOptions.Asynchronous,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        await input.CopyToAsync(output, cancellationToken);
        await output.FlushAsync(cancellationToken);
        output.Flush(flushToDisk: true);
        File.SetUnixFileMode(output.SafeFileHandle, mode);
    }
}
