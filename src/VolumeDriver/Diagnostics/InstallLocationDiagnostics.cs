using VolumeDriver.Domain;
using VolumeDriver.Host;

namespace VolumeDriver.Diagnostics;

/// <summary>
/// Doctor's look at the installation: with a driver name, whether
/// <c>&lt;plugin-dir&gt;/&lt;vendor&gt;~&lt;name&gt;/&lt;name&gt;</c> exists, is executable and is
/// the same binary as the one running (size and SHA-256); without one, where this very binary is
/// installed. kubelet's --volume-plugin-dir cannot be read from here, so every candidate directory is
/// searched and the report names the one the driver was found in.
/// </summary>
internal sealed class InstallLocationDiagnostics
{
    public const string DriverCheck = "driver name";
    public const string ExecutableCheck = "installed executable";

    private readonly DoctorEnvironment _environment;

    public InstallLocationDiagnostics(DoctorEnvironment environment)
    {
        _environment = environment;
    }

    public async Task<IReadOnlyList<DoctorCheck>> CheckAsync(string? pluginDirectory, string? driverText, CancellationToken cancellationToken)
    {
        var checks = new List<DoctorCheck>();
        var directories = pluginDirectory is null ? _environment.PluginDirectories : [Path.GetFullPath(pluginDirectory)];
        var running = _environment.ExecutablePath is { } path && File.Exists(path)
            ? await FileFingerprint.ComputeAsync(path, cancellationToken)
            : null;

        if (pluginDirectory is not null && !Directory.Exists(directories[0]))
        {
            checks.Add(DoctorCheck.Fail(
                "plugin directory",
                $"{directories[0]} does not exist",
                $"use the directory kubelet's --volume-plugin-dir names (default {DoctorEnvironment.KubeletDefaultPluginDirectory}); install creates it"));
            return checks;
        }

        FlexDriverName? driver = null;
        if (driverText is not null)
        {
            if (!FlexDriverName.TryParse(driverText, out driver, out var problem))
            {
                checks.Add(DoctorCheck.Fail(DriverCheck, $"'{driverText}' is not a driver name kubelet accepts: {problem}", "pass --driver VENDOR~NAME with a DNS-subdomain vendor, for example example.com~volume-driver"));
                return checks;
            }

            checks.Add(DoctorCheck.Ok(DriverCheck, $"{driver.Value.QualifiedName} (directory {driver.Value.DirectoryName}); PVs name it in flexVolume.driver"));
        }

        var candidates = driver is { } named
            ? directories.Select(d => (Directory: d, Driver: named)).Where(c => File.Exists(c.Driver.ExecutablePath(c.Directory))).ToList()
            : await FindThisExecutableAsync(directories, running, cancellationToken);

        if (candidates.Count == 0)
        {
            var what = driver is { } wanted ? wanted.DirectoryName + "/" + wanted.Name : "this executable under any VENDOR~NAME/NAME";
            var driverArgument = driver?.DirectoryName ?? "VENDOR~NAME";
            checks.Add(DoctorCheck.Fail(
                ExecutableCheck,
                $"{what} not found in {string.Join(", ", directories)}",
                $"install it: volume-driver install --plugin-dir {directories[0]} --driver {driverArgument} (or pass --plugin-dir/--driver naming where it is)"));
            return checks;
        }

        foreach (var (directory, found) in candidates)
        {
            checks.Add(await CheckExecutableAsync(directory, found, running, cancellationToken));
        }

        return checks;
    }

    private static async Task<DoctorCheck> CheckExecutableAsync(string directory, FlexDriverName driver, FileFingerprint? running, CancellationToken cancellationToken)
    {
        var path = driver.ExecutablePath(directory);
        var where = directory == DoctorEnvironment.KubeletDefaultPluginDirectory
            ? "kubelet's default plugin directory"
            : $"{directory} (kubelet finds it there only when its --volume-plugin-dir is {directory})";
        var mode = File.GetUnixFileMode(path);
        if ((mode & UnixFileMode.UserExecute) == 0)
        {
            return DoctorCheck.Fail(ExecutableCheck, $"{path} is not executable (mode {Octal(mode)})", $"chmod 0755 {path}, or run volume-driver install again");
        }

        var installed = await FileFingerprint.ComputeAsync(path, cancellationToken);
        if (running is null)
        {
            return DoctorCheck.Warn(ExecutableCheck, $"{path} is installed in {where} (sha256 {installed.ShortHash}); the running executable is unknown, so it was not compared", "run doctor from the published volume-driver binary to compare them");
        }

        if (installed != running)
        {
            return DoctorCheck.Warn(
                ExecutableCheck,
                $"{path} in {where} differs from the running executable ({installed.Size} bytes, sha256 {installed.ShortHash} against {running.Size} bytes, sha256 {running.ShortHash})",
                $"to install this version: volume-driver install --plugin-dir {directory} --driver {driver.DirectoryName}");
        }

        return DoctorCheck.Ok(ExecutableCheck, $"{path} in {where}: executable, the same binary as this one (sha256 {running.ShortHash})");
    }

    /// <summary>Directories <c>V~N</c> under the plugin directories whose executable <c>N</c> is this binary.</summary>
    private async Task<List<(string Directory, FlexDriverName Driver)>> FindThisExecutableAsync(IReadOnlyList<string> directories, FileFingerprint? running, CancellationToken cancellationToken)
    {
        var found = new List<(string, FlexDriverName)>();
        foreach (var directory in directories.Where(Directory.Exists))
        {
            foreach (var driverDirectory in Directory.EnumerateDirectories(directory).Order(StringComparer.Ordinal))
            {
                if (!FlexDriverName.TryParse(Path.GetFileName(driverDirectory), out var driver, out _))
                {
                    continue;
                }

                var executable = driver.Value.ExecutablePath(directory);
                var same = IsRunningExecutable(executable)
                    || (running is not null && File.Exists(executable) && new FileInfo(executable).Length == running.Size
                        && await FileFingerprint.ComputeAsync(executable, cancellationToken) == running);
                if (same)
                {
                    found.Add((directory, driver.Value));
                }
            }
        }

        return found;
    }

    private bool IsRunningExecutable(string path) =>
        _environment.ExecutablePath is { } running && string.Equals(Path.GetFullPath(running), Path.GetFullPath(path), StringComparison.Ordinal);

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');
}
