using VolumeDriver.Configuration;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.Host;
using VolumeDriver.Logging;

namespace VolumeDriver.Diagnostics;

/// <summary>
/// <c>volume-driver doctor</c>: checks, on the node it runs on, everything the driver needs, and
/// says what is wrong and how to fix it. It works even when the configuration does not load (that is
/// then its first failure), never throws for a failed check, and changes nothing on the machine
/// beyond a probe file it removes and the log file the driver would create anyway.
/// </summary>
internal sealed class Doctor
{
    private const string NoConfiguration = "the configuration did not load, so this was not checked";

    private readonly ConfigurationLoader _configurationLoader;
    private readonly Func<DriverConfiguration, IBackendDiagnostics> _backendDiagnostics;
    private readonly DoctorEnvironment _environment;
    private readonly Func<EtcdConfiguration, CancellationToken, Task<DoctorCheck>> _etcdCheck;

    /// <param name="backendDiagnostics">The configured backend's checks (chosen by the composition root).</param>
    /// <param name="etcdCheck">Asks the configured etcd for a lease (the composition root supplies the client).</param>
    public Doctor(ConfigurationLoader configurationLoader, Func<DriverConfiguration, IBackendDiagnostics> backendDiagnostics, DoctorEnvironment environment, Func<EtcdConfiguration, CancellationToken, Task<DoctorCheck>> etcdCheck)
    {
        _configurationLoader = configurationLoader;
        _backendDiagnostics = backendDiagnostics;
        _environment = environment;
        _etcdCheck = etcdCheck;
    }

    public async Task<DoctorReport> RunAsync(DoctorRequest request, CancellationToken cancellationToken)
    {
        var checks = new List<DoctorCheck> { PrivilegeCheck() };

        DriverConfiguration? configuration = null;
        try
        {
            configuration = await _configurationLoader.LoadAsync(request.ConfigPath, cancellationToken);
            checks.Add(DoctorCheck.Ok("configuration", configuration.SourceFile is { } file
                ? $"{file} is valid (backend {configuration.Backend.ToString().ToLowerInvariant()})"
                : $"no configuration file (looked at --config, ${ConfigurationKeys.EnvironmentVariable}, {ConfigurationKeys.FileName} beside the executable, {ConfigurationKeys.SystemPath}); the defaults apply"));
        }
        catch (ConfigurationException e)
        {
            // The message names the file and the key, never a value that could be a secret.
            checks.Add(DoctorCheck.Fail("configuration", e.Message, "fix the file; config/config.yaml in the repository lists every key with its default"));
        }

        if (configuration is null)
        {
            foreach (var name in new[] { "backend", "etcd", "lock directory" })
            {
                checks.Add(DoctorCheck.Skip(name, NoConfiguration));
            }
        }
        else
        {
            checks.AddRange(await BackendChecksAsync(configuration, cancellationToken));
            checks.Add(configuration.Locking.Etcd is { } etcd
                ? await _etcdCheck(etcd, cancellationToken)
                : DoctorCheck.Skip("etcd", "etcd is not configured: attach and detach are serialised by local lock files on this node"));
            checks.Add(LockDirectoryCheck(configuration.Locking));
        }

        checks.AddRange(ToolChecks());
        checks.Add(configuration is null ? DoctorCheck.Skip("node name", NoConfiguration) : NodeNameCheck(configuration));
        checks.Add(configuration is null ? DoctorCheck.Skip("log file", NoConfiguration) : LogFileCheck(configuration.Log));
        checks.AddRange(await new InstallLocationDiagnostics(_environment).CheckAsync(request.PluginDirectory, request.Driver, cancellationToken));
        return new DoctorReport(checks);
    }

    /// <summary>
    /// The backend's checks. Building its client reads files the configuration names (vcloud.ca_cert):
    /// one that cannot be read is this check's failure, naming the key, not the end of the report.
    /// </summary>
    private async Task<IReadOnlyList<DoctorCheck>> BackendChecksAsync(DriverConfiguration configuration, CancellationToken cancellationToken)
    {
        try
        {
            return await _backendDiagnostics(configuration).CheckAsync(cancellationToken);
        }
        catch (ConfigurationException e)
        {
            return [DoctorCheck.Fail("backend", e.Message, $"fix {e.Key ?? "the configuration"} in the configuration")];
        }
    }

    private DoctorCheck PrivilegeCheck() => _environment.IsPrivileged
        ? DoctorCheck.Ok("root", "running as root, as kubelet runs the driver")
        : DoctorCheck.Warn("root", "not running as root: kubelet runs the driver as root, so directory and device checks may fail here and pass there", "run doctor as root (sudo volume-driver doctor)");

    private static DoctorCheck LockDirectoryCheck(LockConfiguration locking)
    {
        const string Name = "lock directory";
        var probe = DirectoryProbe.Probe(locking.Directory);
        if (!probe.Writable)
        {
            return DoctorCheck.Fail(Name, $"{probe.Directory} is not writable: {probe.WriteError}", $"make it a writable directory, or set {ConfigurationKeys.LockingDirectory} in the configuration to one");
        }

        return probe.Exists
            ? DoctorCheck.Ok(Name, $"{probe.Directory} is writable")
            : DoctorCheck.Ok(Name, $"{probe.Directory} does not exist yet; the first attach creates it in {probe.ProbedDirectory}, which is writable");
    }

    private IEnumerable<DoctorCheck> ToolChecks()
    {
        foreach (var (tool, package) in NodeTools.Required)
        {
            var found = NodeTools.Find(tool, _environment.SearchPath);
            yield return found is not null
                ? DoctorCheck.Ok("tool " + tool, found)
                : DoctorCheck.Fail("tool " + tool, $"{tool} is not on PATH ({_environment.SearchPath})", $"apt-get install {package} (Debian/Ubuntu package {package})");
        }
    }

    private DoctorCheck NodeNameCheck(DriverConfiguration configuration)
    {
        const string Name = "node name";
        var (candidate, origin) = configuration.NodeName is { } configured
            ? (configured, $"{ConfigurationKeys.NodeName} in the configuration")
            : (_environment.HostName().ToLowerInvariant(), "the host name, lower-cased");
        return NodeName.TryCreate(candidate, out var node, out var problem)
            ? DoctorCheck.Ok(Name, $"{node} (from {origin}); it must equal this node's name in Kubernetes (kubectl get nodes)")
            : DoctorCheck.Fail(Name, $"'{candidate}' (from {origin}) is not a usable node name: {problem}", $"set {ConfigurationKeys.NodeName} in the configuration to this node's name in Kubernetes");
    }

    private static DoctorCheck LogFileCheck(LogConfiguration log)
    {
        const string Name = "log file";
        using var logging = LoggingSetup.Create(log, verbose: false);
        return logging.FileSinkError is { } error
            ? DoctorCheck.Fail(Name, error, $"make the file's directory writable, or set {ConfigurationKeys.LogFile} in the configuration to a writable path (the driver still works without it, but leaves no trace)")
            : DoctorCheck.Ok(Name, $"{log.File} is writable");
    }
}
