using Azure.ResourceManager.Compute.Models;
using Microsoft.Extensions.Logging;
using VolumeDriver.CloudCalls;
using VolumeDriver.Configuration;
using VolumeDriver.Domain;
using VolumeDriver.Errors;

namespace VolumeDriver.Backends.Azure.Blob;

/// <summary>
/// Blob disks (kinds shared and dedicated) on Azure Stack Hub: the VHD is found (the volume's record,
/// the pool's index, or the dedicated account named from the disk) or created, then attached through
/// the same VM path as managed disks with vhd.uri. A VHD leased by another VM is the drain race:
/// attach waits drainWait for the lease to go, then fails, never breaking the lease itself.
/// </summary>
internal sealed partial class AzureBlobDisks
{
    private readonly BlobDiskProvisioner _provisioner;
    private readonly IStorageAccounts _accounts;
    private readonly Func<StorageAccount, string, IPageBlobStore> _blobStores;
    private readonly VmDataDiskUpdater _updater;
    private readonly AzureClients _clients;
    private readonly AzureConfiguration _configuration;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public AzureBlobDisks(BlobDiskProvisioner provisioner, IStorageAccounts accounts, Func<StorageAccount, string, IPageBlobStore> blobStores, VmDataDiskUpdater updater, AzureClients clients, AzureConfiguration configuration, TimeProvider timeProvider, ILogger logger)
    {
        _provisioner = provisioner;
        _accounts = accounts;
        _blobStores = blobStores;
        _updater = updater;
        _clients = clients;
        _configuration = configuration;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>The volume's VHD, created when it does not exist yet (with the size option), and given its footer when an interrupted provision left it without one.</summary>
    public async Task<(Uri Vhd, bool Created)> ProvisionAsync(DiskRequest request, CancellationToken cancellationToken)
    {
        var vhd = await ProvisionVhdAsync(BlobDiskOptions.From(request), request.Size, cancellationToken);
        return (vhd.Uri, vhd.Created);
    }

    /// <summary>Provisions the VHD as <see cref="ProvisionAsync"/> does, attaches it at the lowest free LUN, and returns both.</summary>
    public async Task<(Uri Vhd, int Lun)> AttachAsync(DiskRequest request, NodeName node, CancellationToken cancellationToken)
    {
        var options = BlobDiskOptions.From(request);
        var vhd = await ProvisionVhdAsync(options, request.Size, cancellationToken);
        var target = AzureNodeVm.For(node, _clients.Cloud, _clients.Arm, _timeProvider);
        await WaitForLeaseToGoAsync(vhd, target, cancellationToken);
        var lun = await _updater.AttachAsync(target, new VmDiskRequest(Guid.NewGuid().ToString("N"), vhd.Uri.AbsoluteUri, options.DiskName, options.Caching.ToString(), Vhd: true), cancellationToken);
        return (vhd.Uri, lun);
    }

    private async Task<ProvisionedVhd> ProvisionVhdAsync(BlobDiskOptions options, ByteSize? size, CancellationToken cancellationToken)
    {
        if (options.ExistingVhd is { } named)
        {
            // A user's VHD (diskURI): used as it is, never checked or written here.
            return new ProvisionedVhd(named, Created: false, Store: null, Found: null);
        }

        // A VHD of ours: one HEAD says whether it exists and, when it does, what FinishVhdAsync needs to
        // write the footer an interrupted provision left out. An index entry with no VHD (the driver
        // died between recording the account and creating the VHD) falls through to CreateSharedAsync,
        // which reads the entry again under the pool lock and creates the VHD in that same account.
        var blob = options.DiskName + ".vhd";
        if (await OwnStoreAsync(options, cancellationToken) is { } store
            && await store.GetPropertiesAsync(BlobDiskProvisioner.Container, blob, cancellationToken) is { } found)
        {
            await _provisioner.FinishVhdAsync(store, found, cancellationToken);
            return new ProvisionedVhd(store.BlobUri(BlobDiskProvisioner.Container, blob), Created: false, store, found);
        }

        var bytes = (size ?? throw new InvalidOptionException(OptionKeys.Size, $"blob disk '{options.DiskName}' does not exist; set the size option (for example 10Gi) to have it created")).WholeGiB << 30;
        if (bytes > AzureStackPageBlobs.MaxDiskBytes)
        {
            throw new InvalidOptionException(
                OptionKeys.Size,
                $"blob disk '{options.DiskName}' of {bytes >> 30} GiB does not fit a page blob on Azure Stack Hub, which holds at most 1 TiB including the VHD's 512-byte footer: the largest blob disk is {AzureStackPageBlobs.MaxDiskBytes >> 30} GiB");
        }
        var vhd = options.Dedicated
            ? await _provisioner.CreateDedicatedAsync(DedicatedAccount(options.DiskName), options.DiskName, options.Sku, bytes, cancellationToken)
            : await _provisioner.CreateSharedAsync(options.DiskName, options.Sku, bytes, cancellationToken);
        return new ProvisionedVhd(vhd, Created: true, Store: null, Found: null);
    }

    public async Task<bool> IsAttachedAsync(DiskRequest request, NodeName node, CancellationToken cancellationToken)
    {
        var vhd = await FindAsync(BlobDiskOptions.From(request), cancellationToken);
        return vhd is not null && await AzureNodeVm.For(node, _clients.Cloud, _clients.Arm, _timeProvider).GetAsync(cancellationToken) is { } vm && vm.DataDisks.Any(d => Same(d.VhdUri, vhd));
    }

    /// <summary>Detaches the VHD; true when it was attached to the node's VM.</summary>
    public async Task<bool> DetachAsync(Uri vhd, NodeName node, CancellationToken cancellationToken)
    {
        var target = AzureNodeVm.For(node, _clients.Cloud, _clients.Arm, _timeProvider);
        var blob = BlobDiskProvisioner.Parts(vhd).Blob;
        return await _updater.DetachAsync(target, new VmDiskRequest(Guid.NewGuid().ToString("N"), vhd.AbsoluteUri, Path.GetFileNameWithoutExtension(blob), nameof(CachingType.None), Detach: true, Vhd: true), cancellationToken);
    }

    public Task DeleteAsync(Uri vhd, CancellationToken cancellationToken) =>
        _provisioner.DeleteAsync(vhd, dedicated: BlobDiskProvisioner.Parts(vhd).Account.StartsWith("vdd", StringComparison.Ordinal), cancellationToken);

    /// <summary>A blob disk named like the volume (no record): its dedicated account's VHD or the pool index's entry.</summary>
    public async Task<Uri?> FindByVolumeNameAsync(string diskName, CancellationToken cancellationToken) =>
        await DedicatedVhdAsync(diskName, cancellationToken) ?? await _provisioner.FindSharedAsync(diskName, cancellationToken);

    private async Task<Uri?> FindAsync(BlobDiskOptions options, CancellationToken cancellationToken) =>
        options.ExistingVhd ?? (options.Dedicated ? await DedicatedVhdAsync(options.DiskName, cancellationToken) : await _provisioner.FindSharedAsync(options.DiskName, cancellationToken));

    private async Task<Uri?> DedicatedVhdAsync(string diskName, CancellationToken cancellationToken) =>
        await DedicatedStoreAsync(diskName, cancellationToken) is { } store && await store.GetPropertiesAsync(BlobDiskProvisioner.Container, diskName + ".vhd", cancellationToken) is not null
            ? store.BlobUri(BlobDiskProvisioner.Container, diskName + ".vhd")
            : null;

    /// <summary>The Blob service of the account that holds (or is to hold) the VHD by this driver's own naming: the dedicated account named from the disk, or the pool account the index names.</summary>
    private Task<IPageBlobStore?> OwnStoreAsync(BlobDiskOptions options, CancellationToken cancellationToken) =>
        options.Dedicated ? DedicatedStoreAsync(options.DiskName, cancellationToken) : _provisioner.SharedStoreAsync(options.DiskName, cancellationToken);

    private async Task<IPageBlobStore?> DedicatedStoreAsync(string diskName, CancellationToken cancellationToken)
    {
        var name = DedicatedAccount(diskName);
        return await _accounts.GetAsync(name, cancellationToken) is { } account ? _blobStores(account, await _accounts.GetKeyAsync(name, cancellationToken)) : null;
    }

    private string DedicatedAccount(string diskName) => StorageAccountPool.DedicatedAccountName(_clients.Cloud.SubscriptionId, _clients.Cloud.ResourceGroup, diskName);

    /// <summary>
    /// The drain race for blob disks: a VHD leased while this VM does not hold it is attached to
    /// another VM. Wait drainWait for the lease to go, then fail; never break a lease (the other VM
    /// may still be writing). The first look uses what provisioning just read of a VHD of ours (its
    /// account's Blob service and its properties) instead of asking for them again.
    /// </summary>
    private async Task WaitForLeaseToGoAsync(ProvisionedVhd provisioned, AzureNodeVm target, CancellationToken cancellationToken)
    {
        var vhd = provisioned.Uri;
        var (accountName, container, blob) = BlobDiskProvisioner.Parts(vhd);
        var store = provisioned.Store ?? await StoreOfAsync(accountName, vhd, cancellationToken);
        var wait = _configuration.DrainWaitOrDefault;
        if (provisioned.Found is { } found ? await FreeOrOursAsync(found, cancellationToken) : await ReleasedAsync(cancellationToken))
        {
            return;
        }

        var describedVhd = vhd.AbsoluteUri;
        LogWaitingForLease(_logger, describedVhd, wait.TotalSeconds);
        if (!await new DrainWait(_timeProvider).UntilReleasedAsync(wait, ReleasedAsync, cancellationToken))
        {
            throw new DiskOperationException(
                $"the VHD {vhd} is still leased by another VM after waiting {wait.TotalSeconds:0} s; this driver never breaks a lease, as that VM may still be writing. kubelet retries the attach to '{target.Node.Value}' once the other node has detached it.");
        }

        async Task<bool> ReleasedAsync(CancellationToken token) =>
            await FreeOrOursAsync(
                await store.GetPropertiesAsync(container, blob, token) ?? throw new DiskOperationException($"the VHD {vhd} does not exist; it was deleted, or diskURI names the wrong blob"),
                token);

        // Not leased, or leased by this very VM (an attach that already happened).
        async Task<bool> FreeOrOursAsync(PageBlobItem properties, CancellationToken token) =>
            !properties.Leased || (await target.GetAsync(token) is { } vm && vm.DataDisks.Any(d => Same(d.VhdUri, vhd)));
    }

    private async Task<IPageBlobStore> StoreOfAsync(string accountName, Uri vhd, CancellationToken cancellationToken) =>
        await _accounts.GetAsync(accountName, cancellationToken) is { } account
            ? _blobStores(account, await _accounts.GetKeyAsync(accountName, cancellationToken))
            : throw new DiskOperationException($"the storage account of VHD {vhd} does not exist in resource group {_clients.Cloud.ResourceGroup}");

    /// <summary>
    /// A provisioned VHD, and for one of ours found in place what finding it read: its account's Blob
    /// service and its properties (null for a VHD just created or named by diskURI).
    /// </summary>
    private sealed record ProvisionedVhd(Uri Uri, bool Created, IPageBlobStore? Store, PageBlobItem? Found);

    private static bool Same(Uri? a, Uri b) => a is not null && string.Equals(a.AbsoluteUri, b.AbsoluteUri, StringComparison.OrdinalIgnoreCase);

    [LoggerMessage(Level = LogLevel.Information, Message = "VHD {Vhd} is leased by another VM; waiting up to {Seconds:0} s for it to be released (drain race)")]
    private static partial void LogWaitingForLease(ILogger logger, string vhd, double seconds);
}
