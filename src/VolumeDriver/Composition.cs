using System.Net;
using Microsoft.Extensions.Logging;
using VolumeDriver.Cli;
using VolumeDriver.Configuration;
using VolumeDriver.Diagnostics;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.FlexVolume;
using VolumeDriver.Host;
using VolumeDriver.Installation;
using VolumeDriver.Kubernetes;
using VolumeDriver.Kubernetes.LeaderElection;
using VolumeDriver.Locking;
using VolumeDriver.Locking.Etcd;
using VolumeDriver.Logging;
using VolumeDriver.Modules;
using VolumeDriver.Node;
using VolumeDriver.Provisioning;

namespace VolumeDriver;

/// <summary>
/// The composition root: the one place that creates the driver's services, from the configuration,
/// for one verb. Constructors only store what they are given, so building the graph does no I/O
/// beyond reading the configuration and opening the log. Tests build the same graph with fakes and
/// hand it to <see cref="DriverCli"/>.
/// </summary>
internal static class Composition
{
    public static async Task<VerbServices> CreateVerbServicesAsync(CliSettings settings, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var configuration = await new ConfigurationLoader(ConfigurationLocator.ForCurrentProcess(), Environment.ProcessPath).LoadAsync(settings.ConfigPath, cancellationToken);
        var logging = LoggingSetup.Create(configuration.Log, settings.Verbose);
        var composed = false;
        try
        {
            var loggers = logging.LoggerFactory;
            var (module, backend, host, processRunner, mountTable) = ComposeBackend(configuration, timeProvider, loggers);
            var disk = backend.Disk;
            var parser = new FlexOptionsParser(module.OptionKeys);
            var locator = new SysfsDeviceLocator([backend.DeviceResolver], timeProvider, loggers.CreateLogger<SysfsDeviceLocator>());
            var probe = new BlockDeviceProbe(processRunner, configuration.Node);
            var mounter = new DeviceMounter(
                processRunner,
                mountTable,
                probe,
                new FilesystemFormatter(processRunner, configuration.Node),
                new UnsignedDataScanner(host),
                host,
                configuration.Node,
                timeProvider,
                loggers.CreateLogger<DeviceMounter>());
            var resizer = new FilesystemResizer(processRunner, mountTable, probe, host, configuration.Node, timeProvider, loggers.CreateLogger<FilesystemResizer>());

            var services = new VerbServices(
                configuration,
                loggers,
                backend.VhdMigration,
                new AttachDetachWorkflow(disk, parser),
                new DeviceMountWorkflow(disk, parser, locator, mounter, resizer, configuration.Node, host, backend.NodeHooks),
                owned: logging);
            composed = true;
            return services;
        }
        finally
        {
            if (!composed)
            {
                logging.Dispose();
            }
        }
    }

    /// <summary>
    /// The provisioner mode (a Deployment's long-running process): the configured backend's module,
    /// the API connection (--kubeconfig, else the pod's service account), the Lease, the controller
    /// and the health endpoints, with the log as JSON lines on <paramref name="stdout"/>. Runs until
    /// SIGTERM (exit 0) or a lost Lease (exit 1).
    /// </summary>
    public static async Task<int> RunProvisionerAsync(ProvisionerSettings settings, Stream stdout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var configuration = await new ConfigurationLoader(ConfigurationLocator.ForCurrentProcess(), Environment.ProcessPath).LoadAsync(settings.ConfigPath, cancellationToken);
        using var logging = LoggingSetup.CreateJsonLines(stdout, configuration.Log.Level, settings.Verbose);
        var loggers = logging.LoggerFactory;
        var logger = loggers.CreateLogger("VolumeDriver.Provisioning");
        var (module, backend, _, _, _) = ComposeBackend(configuration, timeProvider, loggers);
        using var connection = KubernetesConnection.Create(settings.Kubeconfig, null, timeProvider);
        using var client = new KubernetesApiClient(connection, new KubernetesApiClientOptions(), timeProvider, loggers.CreateLogger<KubernetesApiClient>());
        var identity = settings.Identity ?? $"{Dns.GetHostName()}_{Guid.NewGuid().ToString("N")[..8]}";
        var lease = new LeaderElectionOptions
        {
            Namespace = settings.LeaseNamespace ?? connection.DefaultNamespace ?? "default",
            LeaseName = ProvisioningNames.LeaseNameFor(settings.Driver),
            Identity = identity,
        }.Validate();
        var health = new ProvisionerHealth();
        var controller = new ProvisioningController(
            client,
            backend.Disk,
            new VolumePlanner(settings.Driver, module.OptionKeys, module.Provisioning),
            new EventRecorder(client, settings.Driver.QualifiedName, identity, timeProvider, loggers.CreateLogger<EventRecorder>()),
            settings.Driver,
            health,
            settings.Workers,
            new KubernetesInformerOptions(),
            timeProvider,
            loggers.CreateLogger<ProvisioningController>());
        var healthServer = settings.HealthPort > 0
            ? new HealthServer(new IPEndPoint(IPAddress.Any, settings.HealthPort), health, timeProvider, loggers.CreateLogger<HealthServer>())
            : null;
        var host = new ProvisionerHost(client, new LeaderElector(client, lease, timeProvider, loggers.CreateLogger<LeaderElector>()), lease, controller, health, healthServer, timeProvider, logger);
        return await host.RunAsync(cancellationToken);
    }

    /// <summary>
    /// The services of the operator commands doctor and install, which run without a valid
    /// configuration. Nothing here does I/O until a command runs.
    /// </summary>
    public static OperatorServices CreateOperatorServices()
    {
        var loader = new ConfigurationLoader(ConfigurationLocator.ForCurrentProcess(), Environment.ProcessPath);
        var environment = new DoctorEnvironment(
            Environment.ProcessPath,
            Environment.IsPrivilegedProcess,
            Dns.GetHostName,
            Environment.GetEnvironmentVariable("PATH") is { Length: > 0 } path ? path : NodeTools.DefaultPath,
            DoctorEnvironment.StandardPluginDirectories);
        return new OperatorServices(
            new Doctor(loader, configuration => ModuleFor(configuration).CreateDiagnostics(), environment, EtcdDiagnostics.ProbeAsync),
            new DriverInstaller(Environment.ProcessPath, loader),
            (settings, cancellationToken) => OpenOperatorLogAsync(loader, settings, cancellationToken));
    }

    /// <summary>
    /// The log of doctor and install: the log file the configuration names (as every verb's), or
    /// null when the configuration cannot be read, since then nothing says where the log is; doctor's
    /// report and install's reply say what is wrong with it.
    /// </summary>
    public static async Task<LoggingSetup?> OpenOperatorLogAsync(ConfigurationLoader loader, CliSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            var configuration = await loader.LoadAsync(settings.ConfigPath, cancellationToken);
            return LoggingSetup.Create(configuration.Log, settings.Verbose);
        }
        catch (ConfigurationException)
        {
            return null;
        }
    }

    /// <summary>The configured backend's module and its parts, over this machine's node services.</summary>
    private static (IBackendModule Module, BackendParts Parts, HostRoot Host, ProcessRunner ProcessRunner, MountTable MountTable) ComposeBackend(
        DriverConfiguration configuration,
        TimeProvider timeProvider,
        ILoggerFactory loggers)
    {
        var host = new HostRoot("/", configuration.Node.EmulationRoot);
        var processRunner = new ProcessRunner(timeProvider);
        var mountTable = new MountTable(host);
        var loopDevices = new LoopDevices(host);
        var locks = CreateLocks(configuration.Locking, timeProvider, loggers);
        var module = ModuleFor(configuration);
        var parts = module.Compose(new ModuleServices(host, processRunner, mountTable, loopDevices, locks, timeProvider, loggers));
        return (module, parts, host, processRunner, mountTable);
    }

    /// <summary>The configured backend's module: the one place that asks which backend is configured.</summary>
    internal static IBackendModule ModuleFor(DriverConfiguration configuration) => configuration.Backend switch
    {
        BackendKind.Loop => new LoopModule(configuration, () => LocalNodeName(configuration)),
        BackendKind.VCloud => new VCloudModule(configuration, () => LocalNodeName(configuration)),
        BackendKind.Azure => new AzureModule(configuration, () => LocalNodeName(configuration)),
        _ => throw new ConfigurationException(configuration.SourceFile, ConfigurationKeys.Backend, $"backend {configuration.Backend} is not available in this build"),
    };

    /// <summary>etcd when configured (attach and detach exclude each other across nodes), else local flock.</summary>
    private static IVmLockProvider CreateLocks(LockConfiguration locking, TimeProvider timeProvider, ILoggerFactory loggers)
    {
        if (locking.Etcd is not { } etcd)
        {
            return new FileVmLockProvider(locking.Directory, timeProvider, loggers.CreateLogger<FileVmLockProvider>());
        }

        var logger = loggers.CreateLogger<EtcdVmLockProvider>();
        return new EtcdVmLockProvider(new EtcdGatewayClient(etcd, EtcdGatewayClientOptions.From(etcd), timeProvider, logger), etcd.LeaseTtl, etcd.RequestTimeout, EtcdVmLockProvider.DefaultKeyPrefix, timeProvider, logger);
    }

    /// <summary>
    /// This machine's node name: the configured one, else the host name lower-cased, as kubelet
    /// derives its default node name.
    /// </summary>
    private static NodeName LocalNodeName(DriverConfiguration configuration)
    {
        var candidate = configuration.NodeName ?? Dns.GetHostName().ToLowerInvariant();
        return NodeName.TryCreate(candidate, out var node, out var problem)
            ? node.Value
            : throw new ConfigurationException(configuration.SourceFile, ConfigurationKeys.NodeName, $"this machine's host name '{candidate}' is not a usable node name ({problem}); set nodeName in the configuration");
    }
}
