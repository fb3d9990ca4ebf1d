using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using VolumeDriver.Backends;
using VolumeDriver.Backends.Azure;
using VolumeDriver.Backends.Azure.Blob;
using VolumeDriver.Backends.Azure.Managed;
using VolumeDriver.Configuration;
using VolumeDriver.Domain;
using VolumeDriver.Locking;
using VolumeDriver.Node;

namespace VolumeDriver.Modules;

/// <summary>
/// Azure: managed disks (<see cref="AzureManagedDisks"/>) and, on Azure Stack Hub, blob VHDs of kinds
/// shared and dedicated (<see cref="AzureBlobDisks"/>), behind one <see cref="AzureDiskBackend"/> that
/// sends each volume to its part. Both parts change the VM's data disks through one
/// <see cref="VmDataDiskUpdater"/>, and the node finds either by LUN (<see cref="AzureLunResolver"/>).
/// It offers migrate-vhd (<see cref="VhdMigration"/>). No node hooks.
/// </summary>
internal sealed class AzureModule : IBackendModule
{
    private static readonly FrozenSet<string> Keys = AzureDiskOptions.Keys.ToFrozenSet(StringComparer.Ordinal);

    private readonly DriverConfiguration _configuration;
    private readonly Func<NodeName> _localNode;

    public AzureModule(DriverConfiguration configuration, Func<NodeName> localNode)
    {
        _configuration = configuration;
        _localNode = localNode;
    }

    public IReadOnlySet<string> OptionKeys => Keys;

    /// <summary>The cluster's region is read from azure.json only when a zone label is written without a node.</summary>
    public IProvisioningProfile Provisioning => new AzureProvisioningProfile(
        () => AzureCloudConfig.Load(_configuration.Azure.CloudConfigFile, Environment.GetEnvironmentVariable).Location);

    /// <summary>azure.json, its credential and the ArmClient, built once for this invocation.</summary>
    public BackendParts Compose(ModuleServices services)
    {
        var azure = _configuration.Azure;
        var logger = services.Loggers.CreateLogger<AzureDiskBackend>();
        var clients = AzureClients.Create(azure, Environment.GetEnvironmentVariable, logger);
        var (disk, migration) = CreateBackend(clients, azure, services.Locks, _configuration.Locking.Timeout, nodeLocalLocks: _configuration.Locking.Etcd is null, services.TimeProvider, logger);
        return new BackendParts(
            disk,
            new AzureLunResolver(services.Host, services.TimeProvider, services.Loggers.CreateLogger<AzureLunResolver>()),
            VhdMigration: migration);
    }

    public IBackendDiagnostics CreateDiagnostics() => new AzureDiagnostics(_configuration.Azure, Environment.GetEnvironmentVariable, _localNode());

    /// <summary>
    /// The Azure backend over <paramref name="clients"/>: the VM data-disk path the two parts share,
    /// the managed part, the blob part over the cluster's storage accounts, and migrate-vhd. Tests
    /// build it here too, so they run the graph the driver runs.
    /// </summary>
    /// <param name="nodeLocalLocks">
    /// The VM locks are this node's files (no etcd). The pool's counts cache is this node's files too:
    /// with a cluster-wide lock other nodes place disks as well, and a count this node cached would
    /// miss theirs, so every provision counts afresh there.
    /// </param>
    internal static (AzureDiskBackend Disk, VhdMigration Migration) CreateBackend(
        AzureClients clients,
        AzureConfiguration configuration,
        IVmLockProvider locks,
        TimeSpan lockTimeout,
        bool nodeLocalLocks,
        TimeProvider timeProvider,
        ILogger logger)
    {
        var cloud = clients.Cloud;
        var updater = new VmDataDiskUpdater(new VmUpdateQueue(configuration.StateDirectory), locks, lockTimeout, cloud.ResourceGroup, timeProvider, logger);
        var armPipeline = clients.CreateArmPipeline();
        Func<string, IStorageAccounts> accountsIn = resourceGroup => new StorageAccountClient(armPipeline, cloud.Environment.ResourceManagerEndpoint, cloud.SubscriptionId, resourceGroup, timeProvider);
        var accounts = accountsIn(cloud.ResourceGroup);
        var blobOptions = clients.BlobOptions(configuration.BlobServiceVersion);
        Func<StorageAccount, string, IPageBlobStore> stores = (account, key) => PageBlobStore.WithSharedKey(
            account.Name,
            key,
            account.BlobEndpoint ?? BlobEndpoint.ForSuffix(cloud.Environment.StorageEndpointSuffix).For(account.Name),
            blobOptions);
        var countsTtl = nodeLocalLocks ? PoolCounts.DefaultTtl : TimeSpan.Zero;
        var provisioner = new BlobDiskProvisioner(accounts, stores, locks, lockTimeout, new PoolCounts(configuration.StateDirectory, countsTtl, timeProvider), StorageAccountPool.Prefix(cloud.SubscriptionId, cloud.ResourceGroup), cloud.Location, timeProvider, logger);
        var disk = new AzureDiskBackend(
            new AzureManagedDisks(clients, configuration, updater, timeProvider, logger),
            new AzureBlobDisks(provisioner, accounts, stores, updater, clients, configuration, timeProvider, logger),
            new VolumeRecords(configuration.StateDirectory, logger),
            cloud.Environment,
            logger);
        return (disk, new VhdMigration(clients, accountsIn, stores, logger));
    }
}
