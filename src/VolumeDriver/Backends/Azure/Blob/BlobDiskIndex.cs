using System.Text;

namespace VolumeDriver.Backends.Azure.Blob;

/// <summary>
/// Where each shared blob disk lives, readable from any node with the cluster's credentials: a
/// 512-byte page blob per disk in container <c>k8s-volume-index</c> of the pool's first Standard_LRS
/// account, holding the name of the account that has the disk's VHD. Kubelet passes only the PV's
/// options, so a node that never saw the disk (a pod moved by a drain) must find its VHD from the
/// name alone; scanning every pool account (a listKeys and a HEAD each, up to 100 accounts) would
/// cost 200 requests, the index costs two. The entry is written under the pool lock before the VHD
/// is created, so a provision interrupted anywhere resumes into the same account.
/// </summary>
internal sealed class BlobDiskIndex
{
    public const string Container = "k8s-volume-index";

    private const int EntryBytes = 512;

    private readonly IStorageAccounts _accounts;
    private readonly Func<StorageAccount, string, IPageBlobStore> _blobStores;
    private readonly string _indexAccount;
    private readonly string _location;

    /// <param name="indexAccount">The pool's first Standard_LRS account (<see cref="StorageAccountPool.AccountName"/> with number 1).</param>
    public BlobDiskIndex(IStorageAccounts accounts, Func<StorageAccount, string, IPageBlobStore> blobStores, string indexAccount, string location)
    {
        _accounts = accounts;
        _blobStores = blobStores;
        _indexAccount = indexAccount;
        _location = location;
    }

    /// <summary>The account holding the disk's VHD, or null when the index has no entry for it (or there is no index yet).</summary>
    public async Task<string?> AccountOfAsync(string diskName, CancellationToken cancellationToken)
    {
        if (await StoreAsync(create: false, cancellationToken) is not { } store
            || await store.GetPropertiesAsync(Container, EntryName(diskName), cancellationToken) is null)
        {
            return null;
        }

        var entry = await store.ReadAsync(Container, EntryName(diskName), 0, EntryBytes, cancellationToken);
        var account = Encoding.UTF8.GetString(entry).TrimEnd('\0').Trim();
        return account.Length > 0 ? account : null;
    }

    /// <summary>Records (or corrects) the account of the disk's VHD, creating the index account and container when they are missing.</summary>
    public async Task RecordAsync(string diskName, string account, CancellationToken cancellationToken)
    {
        var store = (await StoreAsync(create: true, cancellationToken))!;
        await store.CreatePageBlobInContainerAsync(Container, EntryName(diskName), EntryBytes, cancellationToken);
        var entry = new byte[EntryBytes];
        Encoding.UTF8.GetBytes(account, entry);
        await store.WritePagesAsync(Container, EntryName(diskName), 0, entry, cancellationToken);
    }

    /// <summary>Removes the disk's entry (after its VHD was deleted); a missing entry is fine.</summary>
    public async Task ForgetAsync(string diskName, CancellationToken cancellationToken)
    {
        if (await StoreAsync(create: false, cancellationToken) is { } store)
        {
            await store.DeleteAsync(Container, EntryName(diskName), cancellationToken);
        }
    }

    private static string EntryName(string diskName) => diskName + ".account";

    private async Task<IPageBlobStore?> StoreAsync(bool create, CancellationToken cancellationToken)
    {
        var account = await _accounts.GetAsync(_indexAccount, cancellationToken);
        if (account is null && create)
        {
            account = await _accounts.CreateAsync(_indexAccount, "Standard_LRS", _location, new Dictionary<string, string> { [StorageAccountPool.PoolTag] = "Standard_LRS" }, cancellationToken);
        }

        return account is null ? null : _blobStores(account, await _accounts.GetKeyAsync(_indexAccount, cancellationToken));
    }
}
