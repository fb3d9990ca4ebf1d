using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace VolumeDriver.Backends.Azure.Blob;

/// <summary>
/// The shared pool's rules, as the original Azure plugin's blob-disk controller applied them, kept
/// pure so they can be checked over thousands of provisions: accounts are per SKU; a new account is
/// created when the SKU's average use, counting the new disk, would exceed half of 60 disks per
/// account; otherwise an empty account is used first, else the least loaded one below 60. At most
/// 100 pool accounts (both SKUs together); at the cap the least loaded account below 60 is used even
/// above half use, and a pool whose accounts of the SKU all hold 60 is full.
/// </summary>
internal static class StorageAccountPool
{
    public const int MaxAccounts = 100;

    public const int MaxDisksPerAccount = 60;

    public const string PoolTag = "k8s-volume-driver-pool";

    public const string DedicatedTag = "k8s-volume-driver-dedicated";

    /// <summary>The SKUs a pool keeps accounts of; the pool starts with one account of each.</summary>
    public static readonly string[] Skus = ["Standard_LRS", "Premium_LRS"];

    /// <summary>
    /// Chooses the account for one more disk of <paramref name="sku"/>. <paramref name="pool"/> is
    /// every pool account of both SKUs; <paramref name="prefix"/> names new accounts.
    /// </summary>
    public static PoolChoice Choose(IReadOnlyList<PoolAccount> pool, string sku, string prefix)
    {
        var ofSku = pool.Where(a => a.Sku == sku).OrderBy(a => a.Name, StringComparer.Ordinal).ToList();
        var belowCap = pool.Count < MaxAccounts;
        if (ofSku.Count == 0)
        {
            return belowCap ? new PoolChoice(NextName(pool, sku, prefix), Create: true) : throw Full(sku, pool.Count);
        }

        var disks = ofSku.Sum(a => a.Disks);
        var aboveHalf = (disks + 1.0) / (ofSku.Count * MaxDisksPerAccount) > 0.5;
        if (aboveHalf && belowCap)
        {
            return new PoolChoice(NextName(pool, sku, prefix), Create: true);
        }

        var chosen = ofSku.FirstOrDefault(a => a.Disks == 0)
            ?? ofSku.Where(a => a.Disks < MaxDisksPerAccount).OrderBy(a => a.Disks).ThenBy(a => a.Name, StringComparer.Ordinal).FirstOrDefault();
        if (chosen is not null)
        {
            return new PoolChoice(chosen.Name, Create: false);
        }

        return belowCap ? new PoolChoice(NextName(pool, sku, prefix), Create: true) : throw Full(sku, pool.Count);
    }

    /// <summary>
    /// This cluster's pool prefix: "vd" and 12 hex digits of a hash of subscription and resource
    /// group, so two clusters sharing a subscription never take each other's accounts, and
    /// storage account names (global across Azure) rarely collide with anyone's.
    /// </summary>
    public static string Prefix(string subscriptionId, string resourceGroup) =>
        "vd" + Hash($"{subscriptionId.ToLowerInvariant()}/{resourceGroup.ToLowerInvariant()}", 12);

    /// <summary>A pool account's name: prefix, "s" or "p" for the SKU, and a three-digit number (18 characters).</summary>
    public static string AccountName(string prefix, string sku, int number) =>
        prefix + SkuLetter(sku) + number.ToString("000", CultureInfo.InvariantCulture);

    /// <summary>A dedicated disk's own account: "vdd" and 21 hex digits of a hash of the cluster and the disk, found again from the disk alone.</summary>
    public static string DedicatedAccountName(string subscriptionId, string resourceGroup, string diskName) =>
        "vdd" + Hash($"{subscriptionId.ToLowerInvariant()}/{resourceGroup.ToLowerInvariant()}/{diskName}", 21);

    /// <summary>Whether an account belongs to this cluster's pool (by name; the tag is checked by the caller).</summary>
    public static bool IsPoolAccount(string name, string prefix) =>
        name.Length == prefix.Length + 4 && name.StartsWith(prefix, StringComparison.Ordinal) && name[prefix.Length] is 's' or 'p';

    private static string NextName(IReadOnlyList<PoolAccount> pool, string sku, string prefix)
    {
        var used = pool.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        var number = Enumerable.Range(1, 999).First(n => !used.Contains(AccountName(prefix, sku, n)));
        return AccountName(prefix, sku, number);
    }

    private static char SkuLetter(string sku) => sku.StartsWith("Premium", StringComparison.Ordinal) ? 'p' : 's';

    private static string Hash(string text, int hexDigits) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..hexDigits];

    private static Errors.DiskOperationException Full(string sku, int accounts) =>
        new($"the shared blob-disk pool is full: {accounts} storage accounts (the cap is {MaxAccounts}) and every {sku} account holds {MaxDisksPerAccount} disks; delete unused volumes, or use kind dedicated or managed");
}
