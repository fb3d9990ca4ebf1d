namespace VolumeDriver.Tests.Contract;

/// <summary>Where the published driver is: $VOLUME_DRIVER_BINARY, else artifacts/volume-driver in the repo.</summary>
public static class DriverBinary
{
    public static string? Path { get; } = Find();

    public static string? MissingReason => Path is null
        ? "needs the published driver: run scripts/build.sh or set VOLUME_DRIVER_BINARY"
        : null;

    private static string? Find()
    {
        var configured = Environment.GetEnvironmentVariable("VOLUME_DRIVER_BINARY");
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(configured) ? System.IO.Path.GetFullPath(configured) : null;
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = System.IO.Path.Join(directory.FullName, "artifacts", "volume-driver");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
