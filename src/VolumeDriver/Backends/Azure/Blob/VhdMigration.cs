using System.Text.RegularExpressions;
using Azure;
using Azure.Core;
using Azure.ResourceManager.Compute;
using Azure.ResourceManager.Compute.Models;
using Azure.ResourceManager.Resources;
using Microsoft.Extensions.Logging;
using VolumeDriver.Domain;
using VolumeDriver.Errors;

namespace VolumeDriver.Backends.Azure.Blob;

/// <summary>
/// Moves a VHD blob disk's data to a managed disk: ARM imports the blob (creationData.createOption
/// Import with sourceUri and storageAccountId) into a new disk in the cluster's resource group, in the
/// storage account's region. Before that it refuses a leased blob (a VM still has it attached and may
/// be writing: a copy now would be torn) and reads the footer to know the size the disk must have
/// (Azure imports only fixed VHDs whose virtual size is a whole number of MiB); after, it checks the
/// disk has that size. The source blob is only read, never changed or deleted: it stays the fallback
/// until the operator deletes it. A re-run after a crash finds the disk imported from the same blob
/// and converges instead of failing.
/// </summary>
internal sealed partial class VhdMigration : IVhdMigration
{
    /// <summary>The tag naming the VHD a migrated disk came from (tag values hold up to 256 characters).</summary>
    public const string SourceTag = "k8s-azure-migrated-from";

    // The managed SKUs but ultra disks, which are created empty or from snapshots, not by importing a VHD.
    private static readonly string[] Skus = [.. AzureDiskOptions.Skus.Where(s => s != "UltraSSD_LRS")];

    private readonly AzureClients _clients;
    private readonly Func<string, IStorageAccounts> _accountsIn;
    private readonly Func<StorageAccount, string, IPageBlobStore> _blobStores;
    private readonly ILogger _logger;

    /// <param name="accountsIn">The storage accounts of a resource group.</param>
    public VhdMigration(AzureClients clients, Func<string, IStorageAccounts> accountsIn, Func<StorageAccount, string, IPageBlobStore> blobStores, ILogger logger)
    {
        _clients = clients;
        _accountsIn = accountsIn;
        _blobStores = blobStores;
        _logger = logger;
    }

    public async Task<VhdMigrationResult> MigrateVhdAsync(VhdMigrationRequest request, CancellationToken cancellationToken)
    {
        var vhd = request.Vhd;
        if (vhd.Scheme is not ("https" or "http") || !vhd.AbsolutePath.EndsWith(".vhd", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOptionException("blob-uri", $"'{vhd}' is not a VHD blob's URI (https://<account>.blob.<suffix>/<container>/<name>.vhd)");
        }

        var (accountName, container, blob) = BlobDiskProvisioner.Parts(vhd);
        var diskName = request.DiskName ?? Path.GetFileNameWithoutExtension(blob);
        if (!DiskName().IsMatch(diskName))
        {
            throw new InvalidOptionException("--name", $"'{PrintableText.Of(diskName)}' is not a managed disk name Azure accepts (1-80 letters, digits, '_', '.', '-', starting with a letter or digit and ending with a letter, digit or '_'); choose one with --name");
        }

        var resourceGroup = request.AccountResourceGroup ?? _clients.Cloud.ResourceGroup;
        var accounts = _accountsIn(resourceGroup);
        var account = await accounts.GetAsync(accountName, cancellationToken)
            ?? throw new DiskOperationException($"storage account '{accountName}' of VHD {vhd} is not in resource group {resourceGroup}; name its resource group with --account-resource-group");
        var sku = ChooseSku(request.Sku, account);
        var store = _blobStores(account, await accounts.GetKeyAsync(accountName, cancellationToken));
        var properties = await store.GetPropertiesAsync(container, blob, cancellationToken)
            ?? throw new DiskOperationException($"the VHD {vhd} does not exist in storage account '{accountName}'");
        if (properties.Leased)
        {
            throw new UnsafeOperationException(
                $"the VHD {vhd} is leased: a VM still has it attached and may be writing to it, so a copy made now could be torn. "
                + "Stop the pod that uses it (or drain its node), wait until the disk is detached, then run migrate-vhd again.");
        }

        var virtualSize = await ReadVirtualSizeAsync(store, container, blob, properties.Length, vhd, cancellationToken);
        var disks = _clients.Arm.GetResourceGroupResource(ResourceGroupResource.CreateResourceIdentifier(_clients.Cloud.SubscriptionId, _clients.Cloud.ResourceGroup)).GetManagedDisks();
        var disk = await ArmCalls.GetOrNullAsync(() => disks.GetAsync(diskName, cancellationToken));
        var created = disk is null;
        if (disk is null)
        {
            disk = await ImportAsync(disks, diskName, sku, account, vhd, cancellationToken);
            var skuName = sku.ToString();
            LogImported(_logger, vhd.AbsoluteUri, diskName, skuName);
        }
        else if (disk.Data.CreationData?.CreateOption != DiskCreateOption.Import || !string.Equals(disk.Data.CreationData.SourceUri?.AbsoluteUri, vhd.AbsoluteUri, StringComparison.OrdinalIgnoreCase))
        {
            throw new DiskOperationException($"a managed disk named '{diskName}' already exists in resource group {_clients.Cloud.ResourceGroup} and was not imported from {vhd}; choose another name with --name");
        }

        var diskBytes = disk.Data.DiskSizeBytes ?? ((long)(disk.Data.DiskSizeGB ?? 0) << 30);
        if (diskBytes != virtualSize)
        {
            throw new DiskOperationException(
                $"managed disk '{diskName}' ({disk.Id}) has {diskBytes} bytes, but the VHD {vhd} holds {virtualSize}; do not use the disk. "
                + "The VHD is untouched; inspect the disk in the portal or with az disk show, and delete it before trying again.");
        }

        return new VhdMigrationResult(vhd, disk.Id.ToString(), disk.Data.Name, diskBytes, disk.Data.Sku?.Name.ToString() ?? sku.ToString(), created);
    }

    /// <summary>
    /// The disk size the footer declares, after the checks Azure's import makes, so that the operator
    /// reads why here rather than in ARM's terser refusal.
    /// </summary>
    private static async Task<long> ReadVirtualSizeAsync(IPageBlobStore store, string container, string blob, long length, Uri vhd, CancellationToken cancellationToken)
    {
        if (length < 2 * VhdFooter.Size || length % VhdFooter.Size != 0)
        {
            throw new DiskOperationException($"the blob {vhd} ({length} bytes) is no fixed VHD: a VHD is a page blob of its disk's size plus the 512-byte footer");
        }

        var footer = await store.ReadAsync(container, blob, length - VhdFooter.Size, VhdFooter.Size, cancellationToken);
        var size = VhdFooter.ReadDiskSize(footer)
            ?? throw new DiskOperationException($"the blob {vhd} does not end in a valid fixed-disk VHD footer (cookie 'conectix', disk type 2, a matching checksum); Azure imports only fixed VHDs");
        if (size + VhdFooter.Size != length)
        {
            throw new DiskOperationException($"the VHD {vhd} declares a {size}-byte disk in a {length}-byte blob; a fixed VHD is its disk plus the 512-byte footer, so this one is damaged or not fixed");
        }

        if (size % (1 << 20) != 0)
        {
            throw new DiskOperationException($"the VHD {vhd} declares a disk of {size} bytes, not a whole number of MiB, and Azure imports only such VHDs; resize it to a MiB multiple first");
        }

        return size;
    }

    private static DiskStorageAccountType ChooseSku(string? requested, StorageAccount account)
    {
        if (requested is null)
        {
            // The performance class the VHD had; Standard_LRS and Premium_LRS are also what Azure Stack Hub offers.
            return account.Sku.StartsWith("Premium", StringComparison.OrdinalIgnoreCase) ? DiskStorageAccountType.PremiumLrs : DiskStorageAccountType.StandardLrs;
        }

        return Skus.FirstOrDefault(s => s.Equals(requested, StringComparison.OrdinalIgnoreCase)) is { } sku
            ? new DiskStorageAccountType(sku)
            : throw new InvalidOptionException("--sku", $"--sku '{PrintableText.Of(requested)}' cannot receive an imported VHD; allowed: {string.Join(", ", Skus)} (ultra and Premium v2 disks are created empty or from snapshots)");
    }

    private async Task<ManagedDiskResource> ImportAsync(ManagedDiskCollection disks, string diskName, DiskStorageAccountType sku, StorageAccount account, Uri vhd, CancellationToken cancellationToken)
    {
        // Azure imports only into a disk in the storage account's region.
        var data = new ManagedDiskData(new AzureLocation(account.Location))
        {
            Sku = new DiskSku { Name = sku },
            CreationData = new DiskCreationData(DiskCreateOption.Import)
            {
                SourceUri = vhd,
                StorageAccountId = new ResourceIdentifier(account.Id),
            },
        };
        data.Tags[Managed.AzureManagedDisks.CreatedByTag] = "volume-driver";
        if (vhd.AbsoluteUri.Length <= 256)
        {
            data.Tags[SourceTag] = vhd.AbsoluteUri;
        }

        return await ArmCalls.Call(
            $"importing {vhd} into managed disk '{diskName}'",
            async () => await ArmOperations.WaitForCompletionAsync(await disks.CreateOrUpdateAsync(WaitUntil.Started, diskName, data, cancellationToken), _clients.TimeProvider, cancellationToken));
    }

    /// <summary>Azure's rule for managed disk names.</summary>
    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex DiskName();

    [LoggerMessage(Level = LogLevel.Information, Message = "Imported VHD {Vhd} into managed disk {Disk} ({Sku}); the VHD is left as it was")]
    private static partial void LogImported(ILogger logger, string vhd, string disk, string sku);
}
