namespace VolumeDriver.Tests.Configuration;

/// <summary>A fresh directory under the system temp directory, removed on dispose.</summary>
public sealed class TempConfigDirectory : IDisposable
{
    public TempConfigDirectory()
    {
        Path = Directory.CreateTempSubdirectory("volume-driver-config-tests-").FullName;
    }

    public string Path { get; }

    /// <summary>The full path of <paramref name="relativePath"/> inside the directory (nothing is created).</summary>
    public string PathOf(string relativePath) => System.IO.Path.Join(Path, relativePath);

    /// <summary>Writes <paramref name="content"/> to <paramref name="relativePath"/>, creating directories, and returns the full path.</summary>
    public string Write(string relativePath, string content)
    {
        var path = PathOf(relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp directory must not fail a test.
        }
    }
}
