using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using VolumeDriver.Backends;
using VolumeDriver.Backends.VCloud;
using VolumeDriver.Configuration;
using VolumeDriver.Domain;
using VolumeDriver.Node;

namespace VolumeDriver.Modules;

/// <summary>
/// VMware Cloud Director independent disks (<see cref="VCloudDiskBackend"/>), found on the node by
/// WWN or, for a disk without a UUID, by its slot (<see cref="VCloudDeviceResolver"/>); the node hook
/// removes what the Python vCloud driver left (<see cref="LegacyVCloudLeftovers"/>).
/// <para>
/// The node side never calls a cloud, with one exception, and it is here: a disk without a UUID can
/// only be told apart by where vCloud says it sits on the VM, so the resolver asks the backend for
/// the VM's disk layout (<see cref="IVmDiskLayoutSource"/>, three read-only requests).
/// </para>
/// </summary>
internal sealed class VCloudModule : IBackendModule
{
    private static readonly FrozenSet<string> Keys = VCloudDiskOptions.Keys.ToFrozenSet(StringComparer.Ordinal);

    private readonly DriverConfiguration _configuration;
    private readonly Func<NodeName> _localNode;

    public VCloudModule(DriverConfiguration configuration, Func<NodeName> localNode)
    {
        _configuration = configuration;
        _localNode = localNode;
    }

    public IReadOnlySet<string> OptionKeys => Keys;

    public IProvisioningProfile Provisioning { get; } = new VCloudProvisioningProfile();

    private VCloudConfiguration VCloud => _configuration.VCloud!;

    /// <summary>The backend over one HttpClient for this invocation, with the session cache.</summary>
    public BackendParts Compose(ModuleServices services)
    {
        var logger = services.Loggers.CreateLogger<VCloudDiskBackend>();
        var (_, client) = CreateClient(services.TimeProvider, logger);
        var disk = new VCloudDiskBackend(
            client,
            VCloud,
            new VolumeRecords(VCloud.StateDirectory, logger),
            services.Locks,
            _configuration.Locking.Timeout,
            services.TimeProvider,
            logger);

        // The single exception to "the node never calls a cloud": vCloud's layout of this node's VM.
        IVmDiskLayoutSource nodeCloudQuery = disk;
        var resolver = new VCloudDeviceResolver(services.Host, services.TimeProvider, services.Loggers.CreateLogger<VCloudDeviceResolver>(), nodeCloudQuery, _localNode);
        return new BackendParts(disk, resolver, new LegacyVCloudLeftovers(services.Host, services.Loggers.CreateLogger<LegacyVCloudLeftovers>()));
    }

    /// <summary>Doctor has no log file of its own: the vCloud client's log lines are dropped there.</summary>
    public IBackendDiagnostics CreateDiagnostics()
    {
        var (connection, client) = CreateClient(TimeProvider.System, NullLogger.Instance);
        return new VCloudDiagnostics(VCloud, connection, client, _localNode());
    }

    private (VCloudConnection Connection, VCloudClient Client) CreateClient(TimeProvider timeProvider, ILogger logger)
    {
        var http = VCloudHttpClientFactory.Create(VCloud, logger);
        var connection = new VCloudConnection(http, VCloud, new VCloudSessionCache(VCloud, logger), timeProvider, logger);
        return (connection, new VCloudClient(connection, timeProvider, logger));
    }
}
