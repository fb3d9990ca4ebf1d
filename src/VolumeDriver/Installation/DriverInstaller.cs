using VolumeDriver.Configuration;
using VolumeDriver.Errors;

namespace VolumeDriver.Installation;

/// <summary>
/// <c>volume-driver install</c>: copies the running executable to
/// <c>&lt;plugin-dir&gt;/&lt;vendor&gt;~&lt;name&gt;/&lt;name&gt;</c> (mode 0755) and, when asked, a
/// configuration file that must first load without error (mode 0600), each by
/// <see cref="AtomicFileInstaller"/>. Running it again with the same inputs changes nothing.
/// </summary>
internal sealed class DriverInstaller
{
    public const UnixFileMode ExecutableMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    public const UnixFileMode ConfigurationMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode DirectoryMode = ExecutableMode;

    private readonly string? _executablePath;
    private readonly ConfigurationLoader _configurationLoader;

    /// <param name="executablePath">The running executable (production: <see cref="Environment.ProcessPath"/>).</param>
    /// <param name="configurationLoader">Validates a configuration before it is installed.</param>
    public DriverInstaller(string? executablePath, ConfigurationLoader configurationLoader)
    {
        _executablePath = executablePath;
        _configurationLoader = configurationLoader;
    }

    public async Task<InstallReport> InstallAsync(InstallRequest request, CancellationToken cancellationToken)
    {
        var source = RequireExecutable();

        // Validate everything before writing anything: an invalid configuration installs nothing.
        string? configFile = null;
        if (request.ConfigFile is not null)
        {
            var configuration = await _configurationLoader.LoadAsync(request.ConfigFile, cancellationToken);
            configFile = configuration.SourceFile ?? Path.GetFullPath(request.ConfigFile);
        }

        var pluginDirectory = FullPath(request.PluginDirectory, "--plugin-dir", "kubelet's --volume-plugin-dir, such as /usr/libexec/kubernetes/kubelet-plugins/volume/exec");
        var driverDirectory = Path.Join(pluginDirectory, request.Driver.DirectoryName);
        RefuseSymbolicLink(driverDirectory, "driver directory");
        CreateDirectory(driverDirectory);
        var executable = await AtomicFileInstaller.InstallAsync(source, request.Driver.ExecutablePath(pluginDirectory), ExecutableMode, cancellationToken);

        InstalledFile? installedConfiguration = null;
        if (configFile is not null)
        {
            var destination = FullPath(request.ConfigDestination, "--config-dest", "a file path such as /etc/volume-driver/config.yaml");
            CreateDirectory(Path.GetDirectoryName(destination)!);
            installedConfiguration = await AtomicFileInstaller.InstallAsync(configFile, destination, ConfigurationMode, cancellationToken);
        }

        return new InstallReport(request.Driver, executable, installedConfiguration);
    }

    private string RequireExecutable()
    {
        if (string.IsNullOrEmpty(_executablePath) || !File.Exists(_executablePath))
        {
            throw new InstallationException(_executablePath, "cannot tell which file is the running executable; run install from the published volume-driver binary");
        }

        if (Path.GetFileNameWithoutExtension(_executablePath) == "dotnet")
        {
            throw new InstallationException(_executablePath, $"the running executable is the .NET host ({_executablePath}), not the driver; run install from the published single-file volume-driver (scripts/build.sh makes artifacts/volume-driver)");
        }

        return _executablePath;
    }

    private static string FullPath(string path, string option, string expected)
    {
        if (string.IsNullOrWhiteSpace(path) || path.Contains('\0', StringComparison.Ordinal))
        {
            throw new InstallationException(path, $"{option} is {(path.Length == 0 ? "empty" : "not a usable path")}; give {expected}");
        }

        return Path.GetFullPath(path);
    }

    /// <summary>
    /// The driver's own directory must be a real directory: through a symlink, install would write
    /// the executable wherever the link points, replacing a file of that name there.
    /// </summary>
    private static void RefuseSymbolicLink(string path, string what)
    {
        if (Host.PathInspector.InspectLink(path) == Host.PathKind.SymbolicLink)
        {
            throw new InstallationException(path, $"refusing to install: the {what} {path} is a symbolic link (to {new FileInfo(path).LinkTarget}), and install writes only into real directories; remove the link and run install again");
        }
    }

    private static void CreateDirectory(string directory)
    {
        try
        {
            Directory.CreateDirectory(directory, DirectoryMode);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InstallationException(directory, $"cannot create directory '{directory}': {e.Message}; install runs as root on the node, and the plugin directory must be writable (mount it read-write into an installer pod)", e);
        }
    }
}
