using VolumeDriver.Errors;

namespace VolumeDriver.Configuration;

/// <summary>
/// A directory a configuration key names (loop.directory, locking.directory): created on first use,
/// and when it cannot work (under /proc, on a read-only filesystem, a file in its place) a Failure
/// that names the key, never an internal error about a file.
/// </summary>
internal static class ConfiguredDirectory
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates <paramref name="directory"/> (mode 0700) unless it exists.</summary>
    public static void Create(string directory, string key)
    {
        try
        {
            Directory.CreateDirectory(directory, OwnerOnly);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unusable(directory, key, e);
        }
    }

    /// <summary>The Failure for a directory in which a file could not be created.</summary>
    public static ConfigurationException Unusable(string directory, string key, Exception cause) =>
        new(
            null,
            key,
            $"{key} '{directory}' cannot be used: {cause.Message.TrimEnd('.')}. Set {key} in the configuration to a writable directory on a local filesystem; volume-driver doctor checks it.",
            cause);
}
