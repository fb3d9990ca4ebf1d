using Microsoft.Extensions.Logging.Abstractions;
using Simulators.Arm;
using VolumeDriver.Backends.Azure;
using VolumeDriver.Backends.Azure.Blob;
using VolumeDriver.Configuration;
using VolumeDriver.Errors;
using VolumeDriver.Locking;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Backends.Azure.Blob;

/// <summary>
/// Shared and dedicated blob disks end to end: storage accounts through the ARM double (which hands
/// out Azurite's keys and points their blob endpoints at Azurite), VHDs in real Azurite.
/// </summary>
public sealed class BlobDiskProvisionerTests : IAsyncLifetime
{
    private const long MiB = 1L << 20;

    private static readonly ArmSimulatorOptions Defaults = new();
    private static readonly string Prefix = StorageAccountPool.Prefix(Defaults.SubscriptionId, Defaults.ResourceGroup);
    private static readonly string StandardOne = AzureStackTestBed.PoolAccount("Standard_LRS");
    private static readonly string PremiumOne = AzureStackTestBed.PoolAccount("Premium_LRS");
    private static readonly string Dedicated = StorageAccountPool.DedicatedAccountName(Defaults.SubscriptionId, Defaults.ResourceGroup, "pv-own");

    private AzureStackTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await AzureStackTestBed.StartAsync(null, StandardOne, PremiumOne, Dedicated).WithTimeout();

    public async Task DisposeAsync() => await _bed.DisposeAsync().WithTimeout();

    private ArmSimulator Arm => _bed.Arm;

    private AzuriteServer Azurite => _bed.Azurite!;

    /// <param name="node">Stands for the node the provisioner runs on: its own state directory (count cache) and lock files.</param>
    private (BlobDiskProvisioner Provisioner, StorageAccountClient Accounts, Func<StorageAccount, string, IPageBlobStore> Stores) Create(string node = "node-1", IVmLockProvider? locks = null)
    {
        var clients = _bed.Clients(_bed.Configuration(node));
        var accounts = new StorageAccountClient(clients.CreateArmPipeline(), StorageAccountClientOptions.For(clients.Cloud, clients.Cloud.ResourceGroup), TimeProvider.System);
        Func<StorageAccount, string, IPageBlobStore> stores = (account, key) =>
            PageBlobStore.WithSharedKey(account.Name, key, new BlobEndpoint(Azurite.EndpointTemplate), AzuriteServer.BlobOptions());
        locks ??= new FileVmLockProvider(Path.Join(_bed.Directory, node, "locks"), TimeProvider.System, NullLogger<FileVmLockProvider>.Instance);
        var provisioner = new BlobDiskProvisioner(accounts, stores, locks, TimeSpan.FromMinutes(1), new PoolCounts(Path.Join(_bed.Directory, node, "state"), PoolCounts.DefaultTtl, TimeProvider.System), Prefix, Arm.Options.Location, TimeProvider.System, NullLogger.Instance);
        return (provisioner, accounts, stores);
    }

    [AzuriteFact]
    public async Task TheFirstSharedDisk_StartsThePoolWithAnAccountPerSku_AndItsVhdHasAValidFooter()
    {
        var (provisioner, accounts, stores) = Create();
        Assert.Null(await provisioner.FindSharedAsync("pv-a", CancellationToken.None).WithTimeout());

        var uri = await provisioner.CreateSharedAsync("pv-a", "Standard_LRS", 8 * MiB, CancellationToken.None).WithTimeout();
        var second = await Create().Provisioner.CreateSharedAsync("pv-b", "Standard_LRS", 8 * MiB, CancellationToken.None).WithTimeout();

        Assert.Equal([PremiumOne, StandardOne], Arm.StorageAccounts().Select(a => a.Name).Order(StringComparer.Ordinal));
        Assert.Equal("Standard_LRS", Arm.StorageAccounts().Single(a => a.Name == StandardOne).Tags[StorageAccountPool.PoolTag]);
        Assert.Equal(uri, await Create("node-2").Provisioner.FindSharedAsync("pv-a", CancellationToken.None).WithTimeout());
        Assert.Equal((StandardOne, "vhds", "pv-a.vhd"), BlobDiskProvisioner.Parts(uri));
        Assert.Equal((StandardOne, "vhds", "pv-b.vhd"), BlobDiskProvisioner.Parts(second));
        var account = (await accounts.GetAsync(StandardOne, CancellationToken.None).WithTimeout())!;
        var store = stores(account, await accounts.GetKeyAsync(StandardOne, CancellationToken.None).WithTimeout());
        Assert.Equal(8 * MiB + 512, (await store.GetPropertiesAsync("vhds", "pv-a.vhd", CancellationToken.None).WithTimeout())?.Length);
        Assert.Equal(8 * MiB, VhdFooter.ReadDiskSize(await store.ReadAsync("vhds", "pv-a.vhd", 8 * MiB, 512, CancellationToken.None).WithTimeout()));
    }

    [AzuriteFact]
    public async Task AnotherNodeProvisioningTheSameDisk_FindsItsVhdThroughTheIndex_AndWritesNothingTwice()
    {
        var (provisioner, accounts, stores) = Create();
        var first = await provisioner.CreateSharedAsync("pv-c", "Premium_LRS", 4 * MiB, CancellationToken.None).WithTimeout();
        var account = (await accounts.GetAsync(PremiumOne, CancellationToken.None).WithTimeout())!;
        var store = stores(account, await accounts.GetKeyAsync(PremiumOne, CancellationToken.None).WithTimeout());
        await store.WritePagesAsync("vhds", "pv-c.vhd", 0, Enumerable.Repeat((byte)7, 512).ToArray(), CancellationToken.None).WithTimeout();

        // A node that never saw the disk (a drained pod's new node) has no local state: the index answers.
        var again = await Create("node-2").Provisioner.CreateSharedAsync("pv-c", "Premium_LRS", 4 * MiB, CancellationToken.None).WithTimeout();

        Assert.Equal(first, again);
        Assert.Equal(7, (await store.ReadAsync("vhds", "pv-c.vhd", 0, 512, CancellationToken.None).WithTimeout())[0]);
        Assert.Single(await store.ListAsync("vhds", CancellationToken.None).ToListAsync().WithTimeout());
        Assert.Equal(2, Arm.StorageAccounts().Count);
    }

    [AzuriteFact]
    public async Task DeletingASharedDisk_RemovesItsVhdAndItsIndexEntry()
    {
        var (provisioner, _, _) = Create();
        var uri = await provisioner.CreateSharedAsync("pv-e", "Standard_LRS", 4 * MiB, CancellationToken.None).WithTimeout();

        await provisioner.DeleteAsync(uri, dedicated: false, CancellationToken.None).WithTimeout();

        Assert.Null(await Create("node-2").Provisioner.FindSharedAsync("pv-e", CancellationToken.None).WithTimeout());
        Assert.Equal(2, Arm.StorageAccounts().Count);
    }

    [AzuriteFact]
    public async Task ADedicatedDisk_GetsItsOwnAccount_AndDeleteLeavesNoAccountBehind()
    {
        var (provisioner, _, _) = Create();

        var uri = await provisioner.CreateDedicatedAsync(Dedicated, "pv-own", "Premium_LRS", 4 * MiB, CancellationToken.None).WithTimeout();

        Assert.Equal((Dedicated, "vhds", "pv-own.vhd"), BlobDiskProvisioner.Parts(uri));
        Assert.Equal("pv-own", Arm.StorageAccounts().Single().Tags[StorageAccountPool.DedicatedTag]);

        await provisioner.DeleteAsync(uri, dedicated: true, CancellationToken.None).WithTimeout();
        await provisioner.DeleteAsync(uri, dedicated: true, CancellationToken.None).WithTimeout();

        Assert.Empty(Arm.StorageAccounts());
    }

    [AzuriteFact]
    public async Task ALeasedVhd_IsNotDeleted_AndTheFailureSaysItIsAttached()
    {
        var (provisioner, accounts, _) = Create();
        var uri = await provisioner.CreateSharedAsync("pv-d", "Standard_LRS", 4 * MiB, CancellationToken.None).WithTimeout();
        var account = (await accounts.GetAsync(StandardOne, CancellationToken.None).WithTimeout())!;
        var store = PageBlobStore.WithSharedKey(account.Name, await accounts.GetKeyAsync(StandardOne, CancellationToken.None).WithTimeout(), new BlobEndpoint(Azurite.EndpointTemplate), AzuriteServer.BlobOptions());
        await store.AcquireLeaseAsync("vhds", "pv-d.vhd", CancellationToken.None).WithTimeout();

        var e = await Assert.ThrowsAsync<UnsafeOperationException>(() => provisioner.DeleteAsync(uri, dedicated: false, CancellationToken.None)).WithTimeout();

        Assert.Contains("still has it attached", e.Message, StringComparison.Ordinal);
        Assert.NotNull(await store.GetPropertiesAsync("vhds", "pv-d.vhd", CancellationToken.None).WithTimeout());
    }

    [AzuriteFact]
    public async Task NodesProvisioningAtOnceWithEtcd_NeverGrowThePoolTwice()
    {
        Assert.Null(EtcdServer.MissingReason);
        await using var etcd = await EtcdServer.StartAsync().WithTimeout();
        var configuration = new EtcdConfiguration([etcd.ClientUrl], null, null, null, null, null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10));

        // Eight nodes (own state, own etcd client) provision a disk each at the same moment into an empty pool.
        var provisions = Enumerable.Range(0, 8).Select(i =>
        {
            var gateway = new VolumeDriver.Locking.Etcd.EtcdGatewayClient(configuration, VolumeDriver.Locking.Etcd.EtcdGatewayClientOptions.From(configuration), TimeProvider.System, NullLogger.Instance);
            var locks = new VolumeDriver.Locking.Etcd.EtcdVmLockProvider(gateway, configuration.LeaseTtl, configuration.RequestTimeout, "/volume-driver/locks/", TimeProvider.System, NullLogger.Instance);
            return Create($"node-{i}", locks).Provisioner.CreateSharedAsync($"pv-n{i}", "Standard_LRS", 4 * MiB, CancellationToken.None);
        }).ToList();
        var uris = await Task.WhenAll(provisions).WithTimeout();

        // One account per SKU to start, and eight disks are far below half of 60: no account more.
        Assert.Equal([PremiumOne, StandardOne], Arm.StorageAccounts().Select(a => a.Name).Order(StringComparer.Ordinal));
        Assert.All(uris, uri => Assert.Equal(StandardOne, BlobDiskProvisioner.Parts(uri).Account));
        Assert.Equal(8, uris.Distinct().Count());
    }

    [Theory]
    [InlineData("https://acct1.blob.local.azurestack.external/vhds/pv-x.vhd", "acct1")]
    [InlineData("http://127.0.0.1:10000/acct1/vhds/pv-x.vhd", "acct1")]
    public void VhdUris_NameTheirAccount_HostOrPathStyle(string uri, string account) =>
        Assert.Equal((account, "vhds", "pv-x.vhd"), BlobDiskProvisioner.Parts(new Uri(uri)));
}
