using Microsoft.Extensions.Logging.Abstractions;
using VolumeDriver.Backends.Azure.Blob;
using VolumeDriver.Errors;
using VolumeDriver.Locking;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Backends.Azure.Blob;

/// <summary>
/// The real provisioner (lock, index, counts, pool rules, account creation) over thousands of
/// provisions, with the accounts and blobs simulated in memory. The count cache's TTL is zero, so
/// every decision counts the blobs themselves.
/// </summary>
public sealed class BlobPoolSimulationTests : IDisposable
{
    private const string Prefix = "vd0123456789ab";

    private readonly string _directory = Directory.CreateTempSubdirectory("vd-pool-").FullName;
    private readonly InMemoryStorage _storage = new();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private BlobDiskProvisioner Provisioner() => new(
        _storage,
        (account, _) => _storage.StoreOf(account),
        new FileVmLockProvider(Path.Join(_directory, "locks"), TimeProvider.System, NullLogger<FileVmLockProvider>.Instance),
        TimeSpan.FromMinutes(1),
        new PoolCounts(Path.Join(_directory, "state"), TimeSpan.Zero, TimeProvider.System),
        Prefix,
        "local",
        TimeProvider.System,
        NullLogger.Instance);

    [Fact]
    public async Task AThousandDisksPerSku_LandWhereTheRulesSay()
    {
        var provisioner = Provisioner();
        for (var i = 0; i < 1000; i++)
        {
            await provisioner.CreateSharedAsync($"pv-s{i:0000}", "Standard_LRS", 1 << 20, CancellationToken.None).WithTimeout();
            await provisioner.CreateSharedAsync($"pv-p{i:0000}", "Premium_LRS", 1 << 20, CancellationToken.None).WithTimeout();
        }

        // A new account whenever (disks + 1) / (accounts × 60) > 0.5: 30 disks each, so ⌈1000 / 30⌉ = 34 per SKU,
        // the first of each SKU created together when the pool started.
        var accounts = _storage.Snapshot();
        foreach (var sku in StorageAccountPool.Skus)
        {
            var ofSku = accounts.Values.Where(a => a.Sku == sku).ToList();
            Assert.Equal(34, ofSku.Count);
            Assert.Equal(1000, ofSku.Sum(a => a.Vhds));
            Assert.Equal(33, ofSku.Count(a => a.Vhds == 30));
        }

        Assert.Equal(68, _storage.Creates);
        Assert.All(accounts.Keys, name => Assert.Matches("^vd0123456789ab[sp][0-9]{3}$", name));

        // Every disk is found again through the index, in the account that holds its VHD.
        var again = Provisioner();
        Assert.Equal(StorageAccountPool.AccountName(Prefix, "Premium_LRS", 34), (await again.FindSharedAsync("pv-p0999", CancellationToken.None).WithTimeout())!.Segments[1].TrimEnd('/'));
    }

    [Fact]
    public async Task AtTheCap_TheLeastLoadedAccountBelowSixtyIsUsed_ThenThePoolIsFull()
    {
        // 100 accounts (the cap, both SKUs counted): every Standard_LRS one full but the last, which has one place left.
        _storage.Seed(StorageAccountPool.AccountName(Prefix, "Premium_LRS", 1), "Premium_LRS", 0);
        for (var i = 1; i <= 99; i++)
        {
            _storage.Seed(StorageAccountPool.AccountName(Prefix, "Standard_LRS", i), "Standard_LRS", i == 99 ? 59 : 60);
        }

        var uri = await Provisioner().CreateSharedAsync("pv-last", "Standard_LRS", 1 << 20, CancellationToken.None).WithTimeout();
        var full = await Assert.ThrowsAsync<DiskOperationException>(() => Provisioner().CreateSharedAsync("pv-over", "Standard_LRS", 1 << 20, CancellationToken.None)).WithTimeout();

        Assert.Equal(StorageAccountPool.AccountName(Prefix, "Standard_LRS", 99), BlobDiskProvisioner.Parts(uri).Account);
        Assert.Contains("pool is full", full.Message, StringComparison.Ordinal);
        Assert.Equal(0, _storage.Creates);
        Assert.Equal(60, _storage.Snapshot()[StorageAccountPool.AccountName(Prefix, "Standard_LRS", 99)].Vhds);
    }
}
