using Microsoft.Extensions.Logging;
using VolumeDriver.CloudCalls;
using VolumeDriver.Errors;
using VolumeDriver.Locking;

namespace VolumeDriver.Backends.Azure.Blob;

/// <summary>
/// Creates and deletes blob disks: a fixed VHD (an empty page blob of the disk's size plus 512 bytes,
/// with only the footer written) in container <c>vhds</c> of a pool account (kind shared) or of the
/// disk's own account (kind dedicated). The pool decision runs under one lock per SKU (etcd when
/// configured), so two nodes provisioning at once never grow the pool twice for one need; disk counts
/// come from the blobs themselves, cached for a minute (<see cref="PoolCounts"/>).
/// </summary>
internal sealed partial class BlobDiskProvisioner
{
    public const string Container = "vhds";

    private readonly IStorageAccounts _accounts;
    private readonly Func<StorageAccount, string, IPageBlobStore> _blobStores;
    private readonly IVmLockProvider _locks;
    private readonly TimeSpan _lockTimeout;
    private readonly PoolCounts _counts;
    private readonly BlobDiskIndex _index;
    private readonly string _prefix;
    private readonly string _location;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <param name="blobStores">The Blob service of an account, given its key.</param>
    /// <param name="prefix">This cluster's pool prefix (<see cref="StorageAccountPool.Prefix"/>).</param>
    public BlobDiskProvisioner(IStorageAccounts accounts, Func<StorageAccount, string, IPageBlobStore> blobStores, IVmLockProvider locks, TimeSpan lockTimeout, PoolCounts counts, string prefix, string location, TimeProvider timeProvider, ILogger logger)
    {
        _index = new BlobDiskIndex(accounts, blobStores, StorageAccountPool.AccountName(prefix, "Standard_LRS", 1), location);
        _accounts = accounts;
        _blobStores = blobStores;
        _locks = locks;
        _lockTimeout = lockTimeout;
        _counts = counts;
        _prefix = prefix;
        _location = location;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>The VHD of a shared disk that was provisioned before (on any node), or null.</summary>
    /// <remarks>From the index alone: the VHD itself is not asked for (a provision interrupted between the entry and the VHD leaves an entry with no VHD).</remarks>
    public async Task<Uri?> FindSharedAsync(string diskName, CancellationToken cancellationToken) =>
        (await SharedStoreAsync(diskName, cancellationToken))?.BlobUri(Container, diskName + ".vhd");

    /// <summary>The Blob service of the pool account the index names for a shared disk, or null when it names none or that account is gone.</summary>
    public async Task<IPageBlobStore?> SharedStoreAsync(string diskName, CancellationToken cancellationToken) =>
        await _index.AccountOfAsync(diskName, cancellationToken) is { } accountName && await _accounts.GetAsync(accountName, cancellationToken) is { } account
            ? _blobStores(account, await _accounts.GetKeyAsync(accountName, cancellationToken))
            : null;

    /// <summary>
    /// The VHD of a shared disk, in the account the pool rules choose. The choice goes into the
    /// <see cref="BlobDiskIndex"/> before anything is created, and the index is read again under the
    /// lock: a provision re-run after a crash, or racing from another node, makes (or finds) the VHD
    /// in that same account, never a second one elsewhere.
    /// </summary>
    public async Task<Uri> CreateSharedAsync(string diskName, string sku, long bytes, CancellationToken cancellationToken)
    {
        await using (await _locks.AcquireAsync("blob-pool-" + sku.ToLowerInvariant(), _lockTimeout, cancellationToken))
        {
            if (await _index.AccountOfAsync(diskName, cancellationToken) is { } chosenBefore && await _accounts.GetAsync(chosenBefore, cancellationToken) is { } earlier)
            {
                return await CreateVhdAsync(earlier, diskName, bytes, cancellationToken);
            }

            var pool = await PoolAsync(cancellationToken);
            if (pool.Count == 0)
            {
                // The pool starts with an account of each SKU, as the original plugin's did.
                foreach (var other in StorageAccountPool.Skus.Where(s => s != sku))
                {
                    await CreateAccountAsync(StorageAccountPool.AccountName(_prefix, other, 1), other, new Dictionary<string, string> { [StorageAccountPool.PoolTag] = other }, cancellationToken);
                }

                pool = await PoolAsync(cancellationToken);
            }

            var counted = new List<PoolAccount>();
            foreach (var account in pool)
            {
                counted.Add(new PoolAccount(account.Name, account.Sku, account.Sku == sku ? await CountAsync(account, cancellationToken) : 0));
            }

            var choice = StorageAccountPool.Choose(counted, sku, _prefix);
            await _index.RecordAsync(diskName, choice.Account, cancellationToken);
            var target = choice.Create
                ? await CreateAccountAsync(choice.Account, sku, new Dictionary<string, string> { [StorageAccountPool.PoolTag] = sku }, cancellationToken)
                : pool.Single(a => a.Name == choice.Account);
            var uri = await CreateVhdAsync(target, diskName, bytes, cancellationToken);
            _counts.Add(target.Name, 1);
            var accountName = target.Name;
            LogShared(_logger, diskName, accountName, choice.Create);
            return uri;
        }
    }

    /// <summary>The VHD of a dedicated disk, in its own account (named from the disk, so delete finds it with no state).</summary>
    public async Task<Uri> CreateDedicatedAsync(string accountName, string diskName, string sku, long bytes, CancellationToken cancellationToken)
    {
        var account = await CreateAccountAsync(accountName, sku, new Dictionary<string, string> { [StorageAccountPool.DedicatedTag] = diskName }, cancellationToken);
        return await CreateVhdAsync(account, diskName, bytes, cancellationToken);
    }

    /// <summary>
    /// Deletes the VHD (refused while leased: a VM still has it attached) and, for a dedicated disk,
    /// its account. A VHD or account that is already gone is fine.
    /// </summary>
    public async Task DeleteAsync(Uri vhd, bool dedicated, CancellationToken cancellationToken)
    {
        var (accountName, container, blob) = Parts(vhd);
        var account = await _accounts.GetAsync(accountName, cancellationToken);
        if (account is null)
        {
            return;
        }

        var store = _blobStores(account, await _accounts.GetKeyAsync(accountName, cancellationToken));
        try
        {
            if (await store.DeleteAsync(container, blob, cancellationToken))
            {
                _counts.Add(accountName, -1);
            }
        }
        catch (CloudRequestException e) when (e.ErrorCode == "LeaseIdMissing")
        {
            throw new UnsafeOperationException($"the VHD {vhd} is leased: a VM still has it attached. Detach it before deleting it.");
        }

        if (dedicated)
        {
            await _accounts.DeleteAsync(accountName, cancellationToken);
        }
        else
        {
            await _index.ForgetAsync(Path.GetFileNameWithoutExtension(blob), cancellationToken);
        }
    }

    /// <summary>The account, container and blob of a VHD URI, Azure's host-style or Azurite's path-style.</summary>
    public static (string Account, string Container, string Blob) Parts(Uri vhd)
    {
        var segments = vhd.AbsolutePath.Trim('/').Split('/');
        var hostAccount = vhd.Host.Split('.')[0];
        return vhd.Host.Contains(".blob.", StringComparison.OrdinalIgnoreCase) && segments.Length == 2
            ? (hostAccount, segments[0], Uri.UnescapeDataString(segments[1]))
            : segments.Length == 3
                ? (segments[0], segments[1], Uri.UnescapeDataString(segments[2]))
                : throw new InvalidOptionException("diskURI", $"'{vhd}' is not a VHD blob URI (https://<account>.blob.<suffix>/<container>/<name>.vhd)");
    }

    private async Task<List<StorageAccount>> PoolAsync(CancellationToken cancellationToken)
    {
        var pool = new List<StorageAccount>();
        await foreach (var account in _accounts.ListAsync(cancellationToken))
        {
            if (StorageAccountPool.IsPoolAccount(account.Name, _prefix) && account.Tags.ContainsKey(StorageAccountPool.PoolTag))
            {
                pool.Add(account);
            }
        }

        return pool;
    }

    /// <summary>The account's VHDs: from the cache while fresh, else counted from every page of its listing.</summary>
    private async Task<int> CountAsync(StorageAccount account, CancellationToken cancellationToken)
    {
        if (_counts.Get(account.Name) is { } cached)
        {
            return cached;
        }

        var store = _blobStores(account, await _accounts.GetKeyAsync(account.Name, cancellationToken));
        var count = 0;
        await foreach (var blob in store.ListAsync(Container, cancellationToken))
        {
            count += blob.Name.EndsWith(".vhd", StringComparison.OrdinalIgnoreCase) ? 1 : 0;
        }

        _counts.Set(account.Name, count);
        return count;
    }

    private async Task<StorageAccount> CreateAccountAsync(string name, string sku, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        var account = await _accounts.CreateAsync(name, sku, _location, tags, cancellationToken);
        LogAccountCreated(_logger, name, sku);
        return account;
    }

    /// <summary>
    /// Creates the VHD (an existing blob of that name is kept: it may hold data) and writes its footer
    /// as the blob's last 4 KB (<see cref="AzureStackPageBlobs"/>). An existing blob that is this
    /// VHD unfinished gets its footer too (<see cref="FinishVhdAsync"/>).
    /// </summary>
    private async Task<Uri> CreateVhdAsync(StorageAccount account, string diskName, long bytes, CancellationToken cancellationToken)
    {
        var store = _blobStores(account, await _accounts.GetKeyAsync(account.Name, cancellationToken));
        var blob = diskName + ".vhd";
        if (await store.CreatePageBlobInContainerAsync(Container, blob, bytes + VhdFooter.Size, cancellationToken))
        {
            var (offset, pages) = FooterWrite(bytes);
            await store.WritePagesAsync(Container, blob, offset, pages, cancellationToken);
        }
        else if (await store.GetPropertiesAsync(Container, blob, cancellationToken) is { } existing)
        {
            await FinishVhdAsync(store, existing, cancellationToken);
        }

        return store.BlobUri(Container, blob);
    }

    /// <summary>
    /// Writes the footer of a VHD of ours (a blob in container vhds of a pool account or of a dedicated
    /// account, named from the disk; never a user's diskURI) that was created and never finished, and
    /// returns whether it did. A create retried after its answer was lost (a dropped connection, a 500
    /// after the service had made the blob) finds the first attempt's blob (409 BlobAlreadyExists), and a
    /// driver killed between the create and the footer write leaves one for the next provision to find;
    /// Azure attaches no VHD without a footer. The blob counts as unfinished only when it is not leased
    /// (no VM has it) and holds zeros everywhere the footer write goes, so the write changes only zero
    /// bytes; any other blob is left exactly as it is. The footer declares the blob's own length less
    /// the footer, not the size a request asks for: a VHD's footer must end the blob and declare the
    /// disk it ends, and a footer for another size would land inside the disk or past the blob's end.
    /// </summary>
    public async Task<bool> FinishVhdAsync(IPageBlobStore store, PageBlobItem blob, CancellationToken cancellationToken)
    {
        var bytes = blob.Length - VhdFooter.Size;
        if (blob.Leased || bytes <= 0 || bytes % 512 != 0)
        {
            return false;
        }

        var (offset, pages) = FooterWrite(bytes);
        if ((await store.ReadAsync(Container, blob.Name, offset, pages.Length, cancellationToken)).AsSpan().ContainsAnyExcept((byte)0))
        {
            return false;
        }

        await store.WritePagesAsync(Container, blob.Name, offset, pages, cancellationToken);
        var account = store.Account;
        var name = blob.Name;
        LogFinished(_logger, name, account, bytes);
        return true;
    }

    private (long Offset, byte[] Pages) FooterWrite(long bytes) =>
        AzureStackPageBlobs.FooterWrite(bytes, VhdFooter.Create(bytes, _timeProvider.GetUtcNow(), Guid.NewGuid()));

    [LoggerMessage(Level = LogLevel.Information, Message = "VHD {Blob} in account {Account} had no footer (its provision was interrupted); wrote the footer of a fixed disk of {Bytes} bytes")]
    private static partial void LogFinished(ILogger logger, string blob, string account, long bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the VHD of blob disk {Disk} in pool account {Account} (a new account: {NewAccount})")]
    private static partial void LogShared(ILogger logger, string disk, string account, bool newAccount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created storage account {Account} ({Sku})")]
    private static partial void LogAccountCreated(ILogger logger, string account, string sku);
}
