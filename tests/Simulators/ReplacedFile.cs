namespace Simulators;

/// <summary>
/// Writes a test fixture file the way the driver writes its own: to a temporary name beside it,
/// then renamed over it. A driver process reading the file at that moment sees the old content or
/// the new one, never an empty or half-written file (File.WriteAllText truncates in place first).
/// </summary>
public static class ReplacedFile
{
    public static void WriteAllText(string path, string content)
    {
        var temporary = TemporaryNameFor(path);
        try
        {
            File.WriteAllText(temporary, content);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public static async Task WriteAllTextAsync(string path, string content, CancellationToken cancellationToken = default)
    {
        var temporary = TemporaryNameFor(path);
        try
        {
            await File.WriteAllTextAsync(temporary, content, cancellationToken);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static string TemporaryNameFor(string path) =>
        Path.Join(Path.GetDirectoryName(path), $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
}
