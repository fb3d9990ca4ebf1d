using VolumeDriver.Errors;

namespace VolumeDriver.Configuration;

/// <summary>
/// Finds the configuration file, in the order DESIGN.md §5 gives: <c>--config PATH</c>, then
/// <c>$VOLUME_DRIVER_CONFIG</c>, then <c>config.yaml</c> beside the executable, then
/// <c>/etc/volume-driver/config.yaml</c>, and last the Python vCloud driver's
/// <c>/opt/vcloud-flexvolume/etc/config.yaml</c>, so the binary can replace that driver in place. A path the operator named (the option or the variable)
/// must exist; the two conventional places are simply skipped when absent.
/// </summary>
internal sealed class ConfigurationLocator
{
    private readonly Func<string, string?> _getEnvironmentVariable;
    private readonly string _executableDirectory;
    private readonly string _systemPath;
    private readonly IReadOnlyList<string> _legacyPaths;

    /// <param name="getEnvironmentVariable">Reads an environment variable (production: <see cref="Environment.GetEnvironmentVariable(string)"/>).</param>
    /// <param name="executableDirectory">The executable's directory (production: <see cref="AppContext.BaseDirectory"/>, which a single-file app sets to the executable's directory).</param>
    /// <param name="systemPath">The machine-wide file (production: <see cref="ConfigurationKeys.SystemPath"/>).</param>
    /// <param name="legacyPaths">Files of drivers this one replaces, read when none of the above exists.</param>
    public ConfigurationLocator(Func<string, string?> getEnvironmentVariable, string executableDirectory, string systemPath, IReadOnlyList<string>? legacyPaths = null)
    {
        _legacyPaths = legacyPaths ?? [];
        _getEnvironmentVariable = getEnvironmentVariable;
        _executableDirectory = executableDirectory;
        _systemPath = systemPath;
    }

    /// <summary>The locator over this process's environment, executable directory and /etc.</summary>
    public static ConfigurationLocator ForCurrentProcess() =>
        new(Environment.GetEnvironmentVariable, AppContext.BaseDirectory, ConfigurationKeys.SystemPath, [ConfigurationKeys.PythonVCloudDriverPath]);

    /// <summary>
    /// The full path of the file to read, or null when there is none and the defaults apply.
    /// </summary>
    /// <param name="explicitPath">The <c>--config</c> value, or null when the option was not given.</param>
    /// <exception cref="ConfigurationException">The option or the environment variable names a file that does not exist.</exception>
    public string? Locate(string? explicitPath)
    {
        if (explicitPath is not null)
        {
            return RequireExisting(explicitPath, "given with --config");
        }

        var fromEnvironment = _getEnvironmentVariable(ConfigurationKeys.EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return RequireExisting(fromEnvironment, "named by $" + ConfigurationKeys.EnvironmentVariable);
        }

        var besideExecutable = Path.Join(_executableDirectory, ConfigurationKeys.FileName);
        if (File.Exists(besideExecutable))
        {
            return Path.GetFullPath(besideExecutable);
        }

        if (File.Exists(_systemPath))
        {
            return Path.GetFullPath(_systemPath);
        }

        return _legacyPaths.Where(File.Exists).Select(Path.GetFullPath).FirstOrDefault();
    }

    private static string RequireExisting(string path, string origin)
    {
        if (string.IsNullOrWhiteSpace(path) || path.Contains('\0', StringComparison.Ordinal))
        {
            throw new ConfigurationException(
                null,
                null,
                $"The configuration file {origin} is empty or not a usable path. Name an existing YAML file, or leave the option out to use the defaults.");
        }

        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            var what = Directory.Exists(fullPath) ? "is a directory, not a file" : "does not exist";
            throw new ConfigurationException(
                fullPath,
                null,
                $"The configuration file '{fullPath}' {origin} {what}. Point it at an existing YAML file, or leave it out to use config.yaml beside the executable, {ConfigurationKeys.SystemPath} or the defaults.");
        }

        return fullPath;
    }
}
