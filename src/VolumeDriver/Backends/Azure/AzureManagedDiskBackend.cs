using System.Collections.Frozen;
using Azure;
using Azure.Core;
using Azure.ResourceManager.Compute;
using Azure.ResourceManager.Compute.Models;
using Azure.ResourceManager.Resources;
using Microsoft.Extensions.Logging;
using VolumeDriver.CloudCalls;
using VolumeDriver.Configuration;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.Locking;

namespace VolumeDriver.Backends.Azure;

/// <summary>
/// Azure managed disks through Azure.ResourceManager.Compute. Attach reads the disk (creating it on
/// first use), applies the drain-race policy when managedBy names another VM, then, under the VM's
/// lock, reads the VM, takes the lowest free LUN of 64 and sends a sparse PUT of
/// storageProfile.dataDisks, follows the long-running operation (the SDK honours Retry-After), and
/// reads the LUN back from the VM the operation returns. The device is /dev/disk/azure/scsi1/lunN,
/// never /dev/sdX. Detach marks the entry toBeDetached. A missing disk, VM or entry is success.
/// </summary>
internal sealed partial class AzureManagedDiskBackend : ICloudDisk, Blob.IVhdMigration
{
    public const string DevicePrefix = "/dev/disk/azure/scsi1/lun";

    private const int MaxLuns = 64;

    private static readonly FrozenSet<string> Keys = AzureDiskOptions.Keys.ToFrozenSet(StringComparer.Ordinal);

    private readonly AzureClients _clients;
    private readonly AzureConfiguration _configuration;
    private readonly VolumeRecords _records;
    private readonly VmDataDiskUpdater _updater;
    private readonly Blob.AzureBlobDisks _blobDisks;
    private readonly Blob.VhdMigration _migration;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public AzureManagedDiskBackend(AzureClients clients, AzureConfiguration configuration, VolumeRecords records, IVmLockProvider locks, TimeSpan lockTimeout, TimeProvider timeProvider, ILogger logger)
    {
        _clients = clients;
        _configuration = configuration;
        _records = records;
        _updater = new VmDataDiskUpdater(new VmUpdateQueue(configuration.StateDirectory), locks, lockTimeout, clients.Cloud.ResourceGroup, timeProvider, logger);
        (_blobDisks, _migration) = CreateBlobDisks(clients, configuration, _updater, locks, lockTimeout, timeProvider, logger);
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public IReadOnlySet<string> OptionKeys => Keys;

    private AzureCloudConfig Cloud => _clients.Cloud;

    public async Task<DiskInfo> ProvisionAsync(DiskRequest request, CancellationToken cancellationToken)
    {
        if (ServesBlobKind(request))
        {
            var (_, vhdCreated) = await _blobDisks.ProvisionAsync(request, cancellationToken);
            return new DiskInfo(request.Name, request.Size ?? new ByteSize(0), vhdCreated);
        }

        var options = AzureDiskOptions.From(request, Cloud.Environment);
        var (disk, created) = await FindOrCreateAsync(request, options, cancellationToken);
        return new DiskInfo(request.Name, new ByteSize((long)(disk.Data.DiskSizeGB ?? 0) << 30), created);
    }

    public async Task<AttachResult> AttachAsync(DiskRequest request, NodeName node, CancellationToken cancellationToken)
    {
        if (ServesBlobKind(request))
        {
            var (vhd, _) = await _blobDisks.ProvisionAsync(request, cancellationToken);
            var blobLun = await _blobDisks.AttachAsync(request, node, vhd, cancellationToken);

            // Kept until delete: detach and delete get only the PV's name.
            await _records.RememberAsync(request.Name, vhd.AbsoluteUri, cancellationToken);
            return new AttachResult(DevicePrefix + blobLun.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var options = AzureDiskOptions.From(request, Cloud.Environment);
        var (disk, _) = await FindOrCreateAsync(request, options, cancellationToken);
        var target = AzureNodeVm.For(node, Cloud, _clients.Arm);
        if (disk.Data.ManagedBy is { } owner && !ArmCalls.SameResource(owner, target.Id))
        {
            disk = await WaitForReleaseAsync(disk, owner, node, cancellationToken);
        }

        // Azure does not support host caching on disks of 4 TiB and more.
        var caching = (disk.Data.DiskSizeGB ?? 0) >= 4096 ? CachingType.None : options.Caching ?? CachingType.None;
        var answer = await _updater.CarryOutAsync(target, new VmDiskRequest(Guid.NewGuid().ToString("N"), disk.Id.ToString(), disk.Data.Name, caching.ToString()), cancellationToken);
        var lun = int.Parse(answer, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture);

        await _records.RememberAsync(request.Name, disk.Id.ToString(), cancellationToken);
        return new AttachResult(DevicePrefix + lun.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public async Task<bool> IsAttachedAsync(DiskRequest request, NodeName node, CancellationToken cancellationToken)
    {
        if (ServesBlobKind(request))
        {
            return await _blobDisks.IsAttachedAsync(request, node, cancellationToken);
        }

        var disk = await GetDiskAsync(AzureDiskOptions.From(request, Cloud.Environment), cancellationToken);
        return disk?.Data.ManagedBy is { } owner && ArmCalls.SameResource(owner, AzureNodeVm.For(node, Cloud, _clients.Arm).Id);
    }

    public async Task DetachAsync(VolumeName volume, NodeName node, CancellationToken cancellationToken)
    {
        var recorded = await _records.DiskNameOfAsync(volume, cancellationToken);
        if (RecordedVhd(recorded) is { } recordedVhd)
        {
            await DetachBlobAsync(recordedVhd, node, cancellationToken);
            return;
        }

        var diskId = recorded.StartsWith("/subscriptions/", StringComparison.OrdinalIgnoreCase)
            ? new ResourceIdentifier(recorded)
            : ManagedDiskResource.CreateResourceIdentifier(Cloud.SubscriptionId, Cloud.ResourceGroup, recorded);
        var target = AzureNodeVm.For(node, Cloud, _clients.Arm);
        var answer = await _updater.CarryOutAsync(target, new VmDiskRequest(Guid.NewGuid().ToString("N"), diskId.ToString(), diskId.Name, nameof(CachingType.None), Detach: true), cancellationToken);
        if (answer != VmUpdateQueue.Absent)
        {
            LogDetached(_logger, diskId.Name, node.Value);
        }
        else if (await UnrecordedBlobDiskAsync(volume, recorded, cancellationToken) is { } vhd)
        {
            // Attached as a blob disk from another node (no record here): never report success with it still attached.
            await DetachBlobAsync(vhd, node, cancellationToken);
        }
        else
        {
            LogNothingToDetach(_logger, diskId.Name, node.Value);
        }

        _records.Forget(volume);
    }

    private async Task DetachBlobAsync(Uri vhd, NodeName node, CancellationToken cancellationToken)
    {
        var detached = await _blobDisks.DetachAsync(vhd, node, cancellationToken);
        var described = vhd.AbsoluteUri;
        if (detached)
        {
            LogDetached(_logger, described, node.Value);
        }
        else
        {
            LogNothingToDetach(_logger, described, node.Value);
        }
    }

    public async Task DeleteAsync(VolumeName volume, CancellationToken cancellationToken)
    {
        var recorded = await _records.DiskNameOfAsync(volume, cancellationToken);
        if ((RecordedVhd(recorded) ?? await UnrecordedBlobDiskAsync(volume, recorded, cancellationToken)) is { } vhd)
        {
            await _blobDisks.DeleteAsync(vhd, cancellationToken);
            _records.Forget(volume);
            return;
        }

        var name = recorded.Split('/')[^1];
        var disk = await GetDiskAsync(new AzureDiskOptions(name, null, null, DiskStorageAccountType.StandardSsdLrs, null, []), cancellationToken);
        if (disk is null)
        {
            return;
        }

        if (disk.Data.ManagedBy is { } owner)
        {
            throw new UnsafeOperationException($"Azure disk '{name}' is attached to VM '{NodeNameOf(owner)}'; detach it before deleting it.");
        }

        await ArmCalls.Call($"deleting disk '{name}'", () => disk.DeleteAsync(WaitUntil.Completed, cancellationToken));
        _records.Forget(volume);
    }

    public async Task<IReadOnlyList<VolumeSummary>> ListAsync(CancellationToken cancellationToken)
    {
        var summaries = new List<VolumeSummary>();
        await foreach (var disk in ResourceGroup(null).GetManagedDisks().GetAllAsync(cancellationToken))
        {
            if (!disk.Data.Tags.ContainsKey(CreatedByTag) || !VolumeName.TryCreate(disk.Data.Name, out var name, out _))
            {
                continue;
            }

            NodeName? node = disk.Data.ManagedBy is { } owner && NodeName.TryCreate(NodeNameOf(owner), out var n, out _) ? n : null;
            summaries.Add(new VolumeSummary(name.Value, new ByteSize((long)(disk.Data.DiskSizeGB ?? 0) << 30), disk.Data.Sku?.Name.ToString(), node, null));
        }

        return summaries.OrderBy(s => s.Name.Value, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Grows the disk to whole GiB with a PATCH of diskSizeGB. Whether an attached disk can grow
    /// online is Azure's to decide (it depends on the disk type and size); its refusal is explained.
    /// </summary>
    public async Task<ByteSize> ResizeAsync(DiskRequest request, ByteSize newSize, CancellationToken cancellationToken)
    {
        var options = AzureDiskOptions.From(request, Cloud.Environment);
        var disk = await GetDiskAsync(options, cancellationToken)
            ?? throw new DiskOperationException($"Azure disk '{options.DiskName}' does not exist in resource group {options.ResourceGroup ?? Cloud.ResourceGroup}, so it cannot be grown.");
        var current = disk.Data.DiskSizeGB ?? 0;
        var wanted = (int)newSize.WholeGiB;
        if (current > wanted)
        {
            throw new UnsafeOperationException($"Azure disk '{options.DiskName}' is {current} GiB, larger than the {newSize} asked for; disks are never shrunk.");
        }

        if (current < wanted)
        {
            await ArmCalls.Call($"growing disk '{options.DiskName}' to {wanted} GiB", () => disk.UpdateAsync(WaitUntil.Completed, new ManagedDiskPatch { DiskSizeGB = wanted }, cancellationToken));
            LogResized(_logger, options.DiskName, wanted);
        }

        return ByteSize.FromGiB(wanted);
    }

    public DiskIdentity IdentityFor(DiskRequest request, string? attachedDevicePath)
    {
        var diskName = ServesBlobKind(request) ? Blob.BlobDiskOptions.From(request).DiskName : AzureDiskOptions.From(request, Cloud.Environment).DiskName;
        if (attachedDevicePath is not null && attachedDevicePath.StartsWith(DevicePrefix, StringComparison.Ordinal)
            && int.TryParse(attachedDevicePath.AsSpan(DevicePrefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var lun) && lun < MaxLuns)
        {
            return new AzureLunIdentity(diskName, lun);
        }

        throw new InvalidOptionException("devicePath", $"device path '{FlexVolume.OptionsJson.Printable(attachedDevicePath ?? string.Empty)}' is not the {DevicePrefix}<N> path attach returns for Azure disk '{diskName}'");
    }

    public Task<Blob.VhdMigrationResult> MigrateVhdAsync(Blob.VhdMigrationRequest request, CancellationToken cancellationToken) =>
        _migration.MigrateVhdAsync(request, cancellationToken);

    /// <summary>The tag that marks disks this driver created, as the in-tree plugin and the CSI driver tag theirs.</summary>
    public const string CreatedByTag = "k8s-azure-created-by";

    /// <summary>
    /// A blob kind this cloud serves: Azure Stack Hub. In the public clouds the blob kinds go down the
    /// managed path, whose option parsing refuses them with the retirement message.
    /// </summary>
    private bool ServesBlobKind(DiskRequest request) => !Cloud.Environment.IsPublicCloudFamily && Blob.BlobDiskOptions.IsBlobKind(request);

    /// <summary>The VHD a blob-disk volume's record names (attach keeps it until delete), or null.</summary>
    private static Uri? RecordedVhd(string recorded) =>
        recorded.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || recorded.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? new Uri(recorded) : null;

    /// <summary>
    /// On Azure Stack Hub, a volume with no record here and no managed disk of its name may be a blob
    /// disk another node attached: its dedicated account or the pool's index finds its VHD.
    /// </summary>
    private async Task<Uri?> UnrecordedBlobDiskAsync(VolumeName volume, string recorded, CancellationToken cancellationToken) =>
        Cloud.Environment.IsPublicCloudFamily || recorded != volume.Value
        || await GetDiskAsync(new AzureDiskOptions(recorded, null, null, DiskStorageAccountType.StandardSsdLrs, null, []), cancellationToken) is not null
            ? null
            : await _blobDisks.FindByVolumeNameAsync(volume.Value, cancellationToken);

    private static (Blob.AzureBlobDisks, Blob.VhdMigration) CreateBlobDisks(AzureClients clients, AzureConfiguration configuration, VmDataDiskUpdater updater, IVmLockProvider locks, TimeSpan lockTimeout, TimeProvider timeProvider, ILogger logger)
    {
        var cloud = clients.Cloud;
        var armPipeline = clients.CreateArmPipeline();
        Func<string, Blob.IStorageAccounts> accountsIn = resourceGroup => new Blob.StorageAccountClient(armPipeline, cloud.Environment.ResourceManagerEndpoint, cloud.SubscriptionId, resourceGroup, timeProvider);
        var accounts = accountsIn(cloud.ResourceGroup);
        var blobOptions = clients.BlobOptions(configuration.BlobServiceVersion);
        Func<Blob.StorageAccount, string, Blob.IPageBlobStore> stores = (account, key) => Blob.PageBlobStore.WithSharedKey(
            account.Name,
            key,
            account.BlobEndpoint ?? Blob.BlobEndpoint.ForSuffix(cloud.Environment.StorageEndpointSuffix).For(account.Name),
            blobOptions);
        // The counts cache is this node's files: with a cluster-wide lock (etcd) other nodes place disks
        // too, and a count this node cached would miss theirs, so every provision counts afresh there.
        var countsTtl = locks is FileVmLockProvider ? Blob.PoolCounts.DefaultTtl : TimeSpan.Zero;
        var provisioner = new Blob.BlobDiskProvisioner(accounts, stores, locks, lockTimeout, new Blob.PoolCounts(configuration.StateDirectory, countsTtl, timeProvider), Blob.StorageAccountPool.Prefix(cloud.SubscriptionId, cloud.ResourceGroup), cloud.Location, timeProvider, logger);
        return (
            new Blob.AzureBlobDisks(provisioner, accounts, stores, updater, clients, configuration, timeProvider, logger),
            new Blob.VhdMigration(clients, accountsIn, stores, logger));
    }

    private ResourceGroupResource ResourceGroup(string? name) =>
        _clients.Arm.GetResourceGroupResource(ResourceGroupResource.CreateResourceIdentifier(Cloud.SubscriptionId, name ?? Cloud.ResourceGroup));

    private Task<ManagedDiskResource?> GetDiskAsync(AzureDiskOptions options, CancellationToken cancellationToken) =>
        ArmCalls.GetOrNullAsync(() => ResourceGroup(options.ResourceGroup).GetManagedDisks().GetAsync(options.DiskName, cancellationToken));

    /// <summary>
    /// The node a managedBy id stands for: a VM's name, or for a scale-set instance its computer name
    /// (the scale set's name and the instance id in six base-36 digits, as AzureNodeVm reads it).
    /// </summary>
    private static string NodeNameOf(ResourceIdentifier owner)
    {
        if (!owner.ResourceType.Type.Equals("virtualMachineScaleSets/virtualMachines", StringComparison.OrdinalIgnoreCase)
            || owner.Parent is null
            || !long.TryParse(owner.Name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var instance))
        {
            return owner.Name;
        }

        var digits = new char[6];
        for (var i = 5; i >= 0; i--)
        {
            var digit = (int)(instance % 36);
            digits[i] = (char)(digit < 10 ? '0' + digit : 'a' + digit - 10);
            instance /= 36;
        }

        return owner.Parent.Name + new string(digits);
    }

    private async Task<(ManagedDiskResource Disk, bool Created)> FindOrCreateAsync(DiskRequest request, AzureDiskOptions options, CancellationToken cancellationToken)
    {
        var existing = await GetDiskAsync(options, cancellationToken);
        if (existing is not null)
        {
            return (existing, false);
        }

        var size = request.Size
            ?? throw new InvalidOptionException(FlexVolume.OptionKeys.Size, $"Azure disk '{options.DiskName}' does not exist in resource group {options.ResourceGroup ?? Cloud.ResourceGroup}; set the size option (for example 10Gi) to have it created");
        var data = new ManagedDiskData(new AzureLocation(options.Location ?? Cloud.Location))
        {
            Sku = new DiskSku { Name = options.Sku },
            DiskSizeGB = (int)size.WholeGiB,
            CreationData = new DiskCreationData(DiskCreateOption.Empty),
        };
        data.Tags[CreatedByTag] = "volume-driver";
        data.Tags["kubernetes.io-created-for-pv-name"] = request.Name.Value;
        foreach (var zone in options.Zones)
        {
            data.Zones.Add(zone);
        }

        var created = await ArmCalls.Call(
            $"creating disk '{options.DiskName}'",
            () => ResourceGroup(options.ResourceGroup).GetManagedDisks().CreateOrUpdateAsync(WaitUntil.Completed, options.DiskName, data, cancellationToken));
        var skuName = options.Sku.ToString();
        LogCreated(_logger, options.DiskName, (int)size.WholeGiB, skuName);
        return (created.Value, true);
    }

    /// <summary>The drain race: wait for the other VM to let go; never detach from it on our own.</summary>
    private async Task<ManagedDiskResource> WaitForReleaseAsync(ManagedDiskResource disk, ResourceIdentifier owner, NodeName node, CancellationToken cancellationToken)
    {
        var wait = _configuration.DrainWaitOrDefault;
        var ownerName = NodeNameOf(owner);
        LogWaitingForRelease(_logger, disk.Data.Name, ownerName, wait.TotalSeconds);
        if (await new DrainWait(_timeProvider).UntilReleasedAsync(wait, async token => (disk = (await disk.GetAsync(token)).Value).Data.ManagedBy is null, cancellationToken))
        {
            return disk;
        }

        throw new DiskOperationException(
            $"Azure disk '{disk.Data.Name}' is still attached to VM '{NodeNameOf(owner)}' after waiting {wait.TotalSeconds:0} s; this driver never detaches a disk from another VM, which may still be writing to it. kubelet retries the attach to '{node.Value}' once that node has detached it.");
    }

    private static bool Matches(VirtualMachineDataDisk entry, ManagedDiskResource disk) =>
        (entry.ManagedDisk?.Id is { } id && ArmCalls.SameResource(id, disk.Id)) || string.Equals(entry.Name, disk.Data.Name, StringComparison.OrdinalIgnoreCase);


    [LoggerMessage(Level = LogLevel.Information, Message = "Grew Azure disk {Disk} to {SizeGb} GiB")]
    private static partial void LogResized(ILogger logger, string disk, int sizeGb);

    [LoggerMessage(Level = LogLevel.Information, Message = "Detached Azure disk {Disk} from VM {Vm}")]
    private static partial void LogDetached(ILogger logger, string disk, string vm);

    [LoggerMessage(Level = LogLevel.Information, Message = "Nothing to detach: Azure disk {Disk} is not on VM {Vm} (or the VM is gone)")]
    private static partial void LogNothingToDetach(ILogger logger, string disk, string vm);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created Azure disk {Disk} of {SizeGb} GiB ({Sku})")]
    private static partial void LogCreated(ILogger logger, string disk, int sizeGb, string sku);

    [LoggerMessage(Level = LogLevel.Information, Message = "Azure disk {Disk} is attached to VM {Owner}; waiting up to {Seconds:0} s for it to be released (drain race)")]
    private static partial void LogWaitingForRelease(ILogger logger, string disk, string owner, double seconds);
}
