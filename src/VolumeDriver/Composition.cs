using System.Net;
using Microsoft.Extensions.Logging;
using VolumeDriver.Backends;
using VolumeDriver.Backends.Azure;
using VolumeDriver.Backends.Loop;
using VolumeDriver.Backends.VCloud;
using VolumeDriver.Cli;
using VolumeDriver.Configuration;
using VolumeDriver.Diagnostics;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.FlexVolume;
using VolumeDriver.Host;
using VolumeDriver.Installation;
using VolumeDriver.Locking;
using VolumeDriver.Locking.Etcd;
using VolumeDriver.Logging;
using VolumeDriver.Node;

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
            var host = new HostRoot("/", configuration.Node.EmulationRoot);
            var processRunner = new ProcessRunner(timeProvider);
            var mountTable = new MountTable(host);
            var loopDevices = new LoopDevices(host);
            var locks = CreateLocks(configuration.Locking, timeProvider, loggers);
            var disk = CreateBackend(configuration, processRunner, mountTable, loopDevices, locks, timeProvider, loggers);
            var parser = new FlexOptionsParser(disk.OptionKeys);

            IDeviceResolver[] resolvers =
            [
                new LoopDeviceResolver(host, loopDevices),
                new VCloudDeviceResolver(host, timeProvider, loggers.CreateLogger<VCloudDeviceResolver>(), disk as IVmDiskLayoutSource, () => LocalNodeName(configuration)),
                new AzureLunResolver(host, timeProvider, loggers.CreateLogger<AzureLunResolver>()),
            ];
            var locator = new SysfsDeviceLocator(resolvers, timeProvider, loggers.CreateLogger<SysfsDeviceLocator>());
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
                disk,
                new AttachDetachWorkflow(disk, parser),
                new DeviceMountWorkflow(disk, parser, locator, mounter, resizer, configuration.Node, host, new LegacyVCloudLeftovers(host, loggers.CreateLogger<LegacyVCloudLeftovers>())),
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
            new Doctor(loader, CreateBackendDiagnostics, environment, EtcdDiagnostics.ProbeAsync),
            new DriverInstaller(Environment.ProcessPath, loader));
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1859", Justification = "The configured backend is chosen here; the Azure and vCloud backends join the switch.")]
    private static IBackendDiagnostics CreateBackendDiagnostics(DriverConfiguration configuration) => configuration.Backend switch
    {
        BackendKind.Loop => new LoopDiagnostics(configuration.Loop, HostRoot.System),
        BackendKind.VCloud => CreateVCloudDiagnostics(configuration),
        BackendKind.Azure => new AzureDiagnostics(configuration.Azure, Environment.GetEnvironmentVariable, LocalNodeName(configuration)),
        _ => throw new ConfigurationException(configuration.SourceFile, ConfigurationKeys.Backend, $"backend {configuration.Backend} is not available in this build"),
    };

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1859", Justification = "The configured backend is chosen here; the Azure and vCloud backends join the switch.")]
    private static ICloudDisk CreateBackend(
        DriverConfiguration configuration,
        IProcessRunner processRunner,
        IMountTable mountTable,
        LoopDevices loopDevices,
        IVmLockProvider locks,
        TimeProvider timeProvider,
        ILoggerFactory loggers) => configuration.Backend switch
        {
            BackendKind.Loop => new LoopDiskBackend(
                configuration.Loop,
                LocalNodeName(configuration),
                HostRoot.System,
                loopDevices,
                mountTable,
                processRunner,
                locks,
                configuration.Locking,
                configuration.Node.CommandTimeout,
                loggers.CreateLogger<LoopDiskBackend>()),
            BackendKind.VCloud => CreateVCloudBackend(configuration.VCloud!, configuration.Locking, locks, timeProvider, loggers),
            BackendKind.Azure => CreateAzureBackend(configuration.Azure, configuration.Locking, locks, timeProvider, loggers),
            _ => throw new ConfigurationException(configuration.SourceFile, ConfigurationKeys.Backend, $"backend {configuration.Backend} is not available in this build"),
        };

    /// <summary>Azure managed disks: azure.json, its credential and an ArmClient, built once per invocation.</summary>
    private static AzureManagedDiskBackend CreateAzureBackend(AzureConfiguration configuration, LockConfiguration locking, IVmLockProvider locks, TimeProvider timeProvider, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger<AzureManagedDiskBackend>();
        var clients = AzureClients.Create(configuration, Environment.GetEnvironmentVariable, logger);
        return new AzureManagedDiskBackend(clients, configuration, new VolumeRecords(configuration.StateDirectory, logger), locks, locking.Timeout, timeProvider, logger);
    }

    /// <summary>etcd when configured (attach and detach exclude each other across nodes), else local flock.</summary>
    private static IVmLockProvider CreateLocks(LockConfiguration locking, TimeProvider timeProvider, ILoggerFactory loggers)
    {
        if (locking.Etcd is not { } etcd)
        {
            return new FileVmLockProvider(locking.Directory, timeProvider, loggers.CreateLogger<FileVmLockProvider>());
        }

        var logger = loggers.CreateLogger<EtcdVmLockProvider>();
        return new EtcdVmLockProvider(new EtcdGatewayClient(etcd, timeProvider, logger), etcd.LeaseTtl, etcd.RequestTimeout, EtcdVmLockProvider.DefaultKeyPrefix, timeProvider, logger);
    }

    /// <summary>The vCloud backend over one HttpClient for this invocation, with the session cache.</summary>
    private static VCloudDiskBackend CreateVCloudBackend(VCloudConfiguration configuration, LockConfiguration locking, IVmLockProvider locks, TimeProvider timeProvider, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger<VCloudDiskBackend>();
        var (_, client) = CreateVCloudClient(configuration, timeProvider, logger);
        return new VCloudDiskBackend(
            client,
            configuration,
            new VolumeRecords(configuration.StateDirectory, logger),
            locks,
            locking.Timeout,
            timeProvider,
            logger);
    }

    private static (VCloudConnection Connection, VCloudClient Client) CreateVCloudClient(VCloudConfiguration configuration, TimeProvider timeProvider, ILogger logger)
    {
        var http = VCloudHttpClientFactory.Create(configuration, logger);
        var connection = new VCloudConnection(http, configuration, new VCloudSessionCache(configuration, logger), timeProvider, logger);
        return (connection, new VCloudClient(connection, timeProvider, logger));
    }

    /// <summary>Doctor has no log file of its own: the vCloud client's log lines are dropped there.</summary>
    private static VCloudDiagnostics CreateVCloudDiagnostics(DriverConfiguration configuration)
    {
        var vcloud = configuration.VCloud!;
        var (connection, client) = CreateVCloudClient(vcloud, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        return new VCloudDiagnostics(vcloud, connection, client, LocalNodeName(configuration));
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
