using VolumeDriver.Backends.Azure.Blob;
using VolumeDriver.Errors;

namespace VolumeDriver.Tests.Backends.Azure.Blob;

/// <summary>The shared pool's rules over many provisions, and its names.</summary>
public sealed class StorageAccountPoolTests
{
    private const string Prefix = "vd0123456789ab";

    /// <summary>Provisions <paramref name="count"/> disks of <paramref name="sku"/> into the pool, as the backend would: choose, create if told, count.</summary>
    private static void Provision(Dictionary<string, PoolAccount> pool, string sku, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var choice = StorageAccountPool.Choose([.. pool.Values], sku, Prefix);
            var account = choice.Create ? new PoolAccount(choice.Account, sku, 0) : pool[choice.Account];
            Assert.Equal(choice.Create, !pool.ContainsKey(choice.Account));
            pool[choice.Account] = account with { Disks = account.Disks + 1 };
        }
    }

    [Fact]
    public void AThousandDisksPerSku_KeepEveryAccountAtHalfUse_AsTheRulePredicts()
    {
        var pool = new Dictionary<string, PoolAccount>();

        Provision(pool, "Standard_LRS", 1000);
        Provision(pool, "Premium_LRS", 1000);

        // A new account whenever (disks + 1) / (accounts × 60) > 0.5: 30 disks each, so ⌈1000 / 30⌉ = 34 per SKU.
        foreach (var sku in StorageAccountPool.Skus)
        {
            var accounts = pool.Values.Where(a => a.Sku == sku).ToList();
            Assert.Equal(34, accounts.Count);
            Assert.Equal(1000, accounts.Sum(a => a.Disks));
            Assert.All(accounts, a => Assert.InRange(a.Disks, 1, 30));
            Assert.Equal(33, accounts.Count(a => a.Disks == 30));
        }

        Assert.All(pool.Keys, name => Assert.Matches("^vd0123456789ab[sp][0-9]{3}$", name));
    }

    [Fact]
    public void AtTheCap_TheLeastLoadedAccountFillsUpToSixty_ThenThePoolIsFull()
    {
        var pool = new Dictionary<string, PoolAccount>();

        // 100 accounts of one SKU reach the cap after 3,000 disks (30 each); then they fill to 60.
        Provision(pool, "Standard_LRS", 6000);

        Assert.Equal(StorageAccountPool.MaxAccounts, pool.Count);
        Assert.All(pool.Values, a => Assert.Equal(StorageAccountPool.MaxDisksPerAccount, a.Disks));
        var e = Assert.Throws<DiskOperationException>(() => StorageAccountPool.Choose([.. pool.Values], "Standard_LRS", Prefix));
        Assert.Contains("pool is full", e.Message, StringComparison.Ordinal);
        Assert.Throws<DiskOperationException>(() => StorageAccountPool.Choose([.. pool.Values], "Premium_LRS", Prefix));
    }

    [Fact]
    public void AnEmptyAccount_IsUsedBeforeALoadedOne_WhenBelowHalfUse()
    {
        PoolAccount[] pool = [new("vd0123456789abs001", "Standard_LRS", 20), new("vd0123456789abs002", "Standard_LRS", 0), new("vd0123456789abs003", "Standard_LRS", 5)];

        Assert.Equal(new PoolChoice("vd0123456789abs002", false), StorageAccountPool.Choose(pool, "Standard_LRS", Prefix));
    }

    [Fact]
    public void BelowHalfUse_TheLeastLoadedBelowSixtyIsChosen_AndAboveHalfANewAccountIsNamedWithTheNextNumber()
    {
        PoolAccount[] light = [new("vd0123456789abs001", "Standard_LRS", 20), new("vd0123456789abs002", "Standard_LRS", 9)];
        PoolAccount[] heavy = [new("vd0123456789abs001", "Standard_LRS", 30), new("vd0123456789abs002", "Standard_LRS", 30), new("vd0123456789abp001", "Premium_LRS", 1)];

        Assert.Equal(new PoolChoice("vd0123456789abs002", false), StorageAccountPool.Choose(light, "Standard_LRS", Prefix));
        Assert.Equal(new PoolChoice("vd0123456789abs003", true), StorageAccountPool.Choose(heavy, "Standard_LRS", Prefix));
    }

    [Fact]
    public void Names_AreValidStorageAccountNames_PerClusterAndPerDisk()
    {
        var prefix = StorageAccountPool.Prefix("00000000-1111-2222-3333-444444444444", "k8s-rg");
        var other = StorageAccountPool.Prefix("00000000-1111-2222-3333-444444444444", "other-rg");
        var dedicated = StorageAccountPool.DedicatedAccountName("00000000-1111-2222-3333-444444444444", "k8s-rg", "pv-data");

        Assert.Matches("^[a-z0-9]{3,24}$", StorageAccountPool.AccountName(prefix, "Premium_LRS", 7));
        Assert.Matches("^vdd[a-f0-9]{21}$", dedicated);
        Assert.NotEqual(prefix, other);
        Assert.Equal(prefix, StorageAccountPool.Prefix("00000000-1111-2222-3333-444444444444", "K8S-RG"));
        Assert.Equal(dedicated, StorageAccountPool.DedicatedAccountName("00000000-1111-2222-3333-444444444444", "k8s-rg", "pv-data"));
        Assert.True(StorageAccountPool.IsPoolAccount(StorageAccountPool.AccountName(prefix, "Standard_LRS", 12), prefix));
        Assert.False(StorageAccountPool.IsPoolAccount(StorageAccountPool.AccountName(other, "Standard_LRS", 12), prefix));
        Assert.False(StorageAccountPool.IsPoolAccount(dedicated, prefix));
    }
}
