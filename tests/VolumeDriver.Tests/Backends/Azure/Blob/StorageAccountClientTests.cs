using Simulators.Arm;
using VolumeDriver.Backends.Azure;
using VolumeDriver.Backends.Azure.Blob;
using VolumeDriver.CloudCalls;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Backends.Azure.Blob;

/// <summary>
/// Storage accounts through ARM's REST API (our HttpPipeline client) against the ARM double, and the
/// whole chain a blob disk needs: create an account, list its keys, then write a VHD with that key to
/// real Azurite, where the account's blob endpoint points.
/// </summary>
public sealed class StorageAccountClientTests : IAsyncLifetime
{
    private AzureStackTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await AzureStackTestBed.StartAsync(o => o with { OperationTime = TimeSpan.FromMilliseconds(300) }, "k8sblobstd0001").WithTimeout();

    public async Task DisposeAsync() => await _bed.DisposeAsync().WithTimeout();

    private ArmSimulator Arm => _bed.Arm;

    private (StorageAccountClient Accounts, AzureClients Clients) Accounts()
    {
        var clients = _bed.Clients(_bed.Configuration());
        return (new StorageAccountClient(clients.CreateArmPipeline(), StorageAccountClientOptions.For(clients.Cloud, clients.Cloud.ResourceGroup), TimeProvider.System), clients);
    }

    [Fact]
    public async Task Create_PollsTheLocationUntilProvisioned_ThenGetListKeysAndDeleteWork()
    {
        var (accounts, _) = Accounts();
        var tags = new Dictionary<string, string> { ["k8s-volume-driver-pool"] = "standard_lrs" };

        var created = await accounts.CreateAsync("k8sblobstd0009", "Standard_LRS", Arm.Options.Location, tags, CancellationToken.None).WithTimeout();
        var again = await accounts.CreateAsync("k8sblobstd0009", "Standard_LRS", Arm.Options.Location, tags, CancellationToken.None).WithTimeout();

        Assert.Equal(("k8sblobstd0009", "Standard_LRS", "Succeeded"), (created.Name, created.Sku, created.ProvisioningState));
        Assert.Equal("standard_lrs", created.Tags["k8s-volume-driver-pool"]);
        Assert.Equal(created.Name, again.Name);
        Assert.Single(Arm.StorageAccounts());
        var polls = Arm.Requests.Snapshot().Where(p => p.Key.StartsWith("GET ", StringComparison.Ordinal) && p.Key.Contains("asyncoperations", StringComparison.OrdinalIgnoreCase)).Sum(p => p.Value);
        Assert.True(polls >= 1, "the create must be followed through its Location until the account is provisioned");
        Assert.Equal("k8sblobstd0009", (await accounts.GetAsync("k8sblobstd0009", CancellationToken.None).WithTimeout())?.Name);
        Assert.Equal(["k8sblobstd0009"], await accounts.ListAsync(CancellationToken.None).Select(a => a.Name).ToListAsync().WithTimeout());
        Assert.Equal(88, (await accounts.GetKeyAsync("k8sblobstd0009", CancellationToken.None).WithTimeout()).Length);

        Assert.True(await accounts.DeleteAsync("k8sblobstd0009", CancellationToken.None).WithTimeout());
        Assert.False(await accounts.DeleteAsync("k8sblobstd0009", CancellationToken.None).WithTimeout());
        Assert.Null(await accounts.GetAsync("k8sblobstd0009", CancellationToken.None).WithTimeout());
    }

    [Fact]
    public async Task OneClient_AsksArmOnceForAnAccountAndItsKey_UntilItDeletesIt()
    {
        var (accounts, _) = Accounts();
        await accounts.CreateAsync("k8sblobstd0010", "Standard_LRS", Arm.Options.Location, new Dictionary<string, string>(), CancellationToken.None).WithTimeout();
        var (other, _) = Accounts();
        Arm.Requests.Reset();

        for (var i = 0; i < 3; i++)
        {
            Assert.NotNull(await other.GetAsync("k8sblobstd0010", CancellationToken.None).WithTimeout());
            Assert.NotEmpty(await other.GetKeyAsync("k8sblobstd0010", CancellationToken.None).WithTimeout());
        }

        var reads = Arm.Requests.Snapshot().Where(p => p.Key.Contains("k8sblobstd0010", StringComparison.Ordinal)).ToDictionary(p => p.Key.Split(' ')[0] + (p.Key.EndsWith("/listKeys", StringComparison.Ordinal) ? " listKeys" : string.Empty), p => p.Value);
        Assert.Equal(new Dictionary<string, int> { ["GET"] = 1, ["POST listKeys"] = 1 }, reads);

        Assert.True(await other.DeleteAsync("k8sblobstd0010", CancellationToken.None).WithTimeout());
        Assert.Null(await other.GetAsync("k8sblobstd0010", CancellationToken.None).WithTimeout());
    }

    [Fact]
    public async Task AnInvalidName_IsArmsAccountNameInvalid()
    {
        var (accounts, _) = Accounts();

        var e = await Assert.ThrowsAsync<CloudRequestException>(() => accounts.CreateAsync("Not_Valid", "Standard_LRS", Arm.Options.Location, new Dictionary<string, string>(), CancellationToken.None)).WithTimeout();

        Assert.Equal((400, "AccountNameInvalid"), (e.Status, e.ErrorCode));
        Assert.EndsWith($"(ARM request id {e.RequestId})", e.Message, StringComparison.Ordinal);
        Assert.True(Guid.TryParse(e.RequestId, out _), e.RequestId);
        Assert.Empty(Arm.StorageAccounts());
    }

    [AzuriteFact]
    public async Task TheKeyFromListKeys_WritesAVhdToTheAccountsBlobEndpoint()
    {
        var (accounts, _) = Accounts();
        var account = await accounts.CreateAsync("k8sblobstd0001", "Standard_LRS", Arm.Options.Location, new Dictionary<string, string>(), CancellationToken.None).WithTimeout();
        var key = await accounts.GetKeyAsync(account.Name, CancellationToken.None).WithTimeout();
        var blobs = PageBlobStore.WithSharedKey(account.Name, key, account.BlobEndpoint!, AzuriteServer.BlobOptions());

        await blobs.CreateContainerAsync("vhds", CancellationToken.None).WithTimeout();
        await blobs.CreatePageBlobAsync("vhds", "pv-x.vhd", (1L << 20) + 512, CancellationToken.None).WithTimeout();
        await blobs.WritePagesAsync("vhds", "pv-x.vhd", 1L << 20, VhdFooter.Create(1L << 20, DateTimeOffset.UtcNow, Guid.NewGuid()), CancellationToken.None).WithTimeout();

        Assert.Equal(1L << 20, VhdFooter.ReadDiskSize(await blobs.ReadAsync("vhds", "pv-x.vhd", 1L << 20, 512, CancellationToken.None).WithTimeout()));
    }
}
