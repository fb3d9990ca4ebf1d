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

namespace VolumeDriver.Backends.Azure.Managed;

/// <summary>
/// The managed-disk part of the Azure backend, through Azure.ResourceManager.Compute. Attach reads the
/// disk (creating it on first use), applies the drain-race policy when managedBy names another VM,
/// then hands the VM's data disks to <see cref="VmDataDiskUpdater"/> (the path blob disks share),
/// which reads the LUN back from the VM the operation returns. Detach marks the entry toBeDetached.
/// A missing disk, VM or entry is success.
/// </summary>
internal sealed partial class AzureManagedDisks
{
    private readonly AzureClients _clients;
    private readonly AzureConfiguration _configuration;
    private readonly VmDataDiskUpdater _updater;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public AzureManagedDisks(AzureClients clients, AzureConfiguration configuration, VmDataDiskUpdater updater, TimeProvider timeProvider, ILogger logger)
    {
        _clients = clients;
        _configuration = configuration;
        _updater = updater;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    private AzureCloudConfig Cloud => _clients.Cloud;

    public async Task<DiskInfo> ProvisionAsync(DiskRequest request, CancellationToken cancellationToken)
    {
        var options = AzureDiskOptions.From(request, Cloud.Environment);
        var (disk, created) = await FindOrCreateAsync(request, options, cancellationToken);
        return new DiskInfo(request.Name, new ByteSize((long)(disk.Data.DiskSizeGB ?? 0) << 30), created);
    }

    /// <summary>Attaches the disk (creating it first when it does not exist); returns its resource id and LUN.</summary>
    public async Task<(ResourceIdentifier DiskId, int Lun)> AttachAsync(DiskRequest request, NodeName node, CancellationToken cancellationToken)
    {
        var options = AzureDiskOptions.From(request, Cloud.Environment);
        var (disk, _) = await FindOrCreateAsync(request, options, cancellationToken);
        var target = AzureNodeVm.For(node, Cloud, _clients.Arm, _timeProvider);
        if (disk.Data.ManagedBy is { } owner && !ArmCalls.SameResource(owner, target.Id))
        {
            disk = await WaitForReleaseAsync(disk, owner, node, cancellationToken);
        }

        // Azure does not support host caching on disks of 4 TiB and more.
        var caching = (disk.Data.DiskSizeGB ?? 0) >= 4096 ? CachingType.None : options.Caching ?? CachingType.None;
        var lun = await _updater.AttachAsync(target, new VmDiskRequest(Guid.NewGuid().ToString("N"), disk.Id.ToString(), disk.Data.Name, caching.ToString()), cancellationToken);
        return (disk.Id, lun);
    }

    public async Task<bool> IsAttachedAsync(DiskRequest request, NodeName node, CancellationToken cancellationToken)
    {
        var disk = await GetDiskAsync(AzureDiskOptions.From(request, Cloud.Environment), cancellationToken);
        return disk?.Data.ManagedBy is { } owner && ArmCalls.SameResource(owner, AzureNodeVm.For(node, Cloud, _clients.Arm, _timeProvider).Id);
    }

    /// <summary>
    /// Detaches the disk a volume's record names (its resource id, or a name in the cluster's resource
    /// group) from the node's VM. False when it was not there (or the VM is gone): nothing was done.
    /// </summary>
    public async Task<bool> DetachAsync(string recorded, NodeName node, CancellationToken cancellationToken)
    {
        var diskId = recorded.StartsWith("/subscriptions/", StringComparison.OrdinalIgnoreCase)
            ? new ResourceIdentifier(recorded)
            : ManagedDiskResource.CreateResourceIdentifier(Cloud.SubscriptionId, Cloud.ResourceGroup, recorded);
        var target = AzureNodeVm.For(node, Cloud, _clients.Arm, _timeProvider);
        return await _updater.DetachAsync(target, new VmDiskRequest(Guid.NewGuid().ToString("N"), diskId.ToString(), diskId.Name, nameof(CachingType.None), Detach: true), cancellationToken);
    }

    /// <summary>Deletes the disk a volume's record names. False when there is no such disk; an attached disk is refused.</summary>
    public async Task<bool> DeleteAsync(string recorded, CancellationToken cancellationToken)
    {
        var name = recorded.Split('/')[^1];
        var disk = await GetDiskAsync(name, cancellationToken);
        if (disk is null)
        {
            return false;
        }

        if (disk.Data.ManagedBy is { } owner)
        {
            throw new UnsafeOperationException($"Azure disk '{name}' is attached to VM '{NodeNameOf(owner)}'; detach it before deleting it.");
        }

        await ArmCalls.Call(
            $"deleting disk '{name}'",
            async () => await ArmOperations.WaitForCompletionAsync(await disk.DeleteAsync(WaitUntil.Started, cancellationToken), _timeProvider, cancellationToken));
        return true;
    }

    /// <summary>True when the cluster's resource group has a managed disk of that name.</summary>
    public async Task<bool> ExistsAsync(string name, CancellationToken cancellationToken) =>
        await GetDiskAsync(name, cancellationToken) is not null;

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
            await ArmCalls.Call(
                $"growing disk '{options.DiskName}' to {wanted} GiB",
                async () => await ArmOperations.WaitForCompletionAsync(await disk.UpdateAsync(WaitUntil.Started, new ManagedDiskPatch { DiskSizeGB = wanted }, cancellationToken), _timeProvider, cancellationToken));
            LogResized(_logger, options.DiskName, wanted);
        }

        return ByteSize.FromGiB(wanted);
    }

    /// <summary>The managed disk's name the volume's options give.</summary>
    public string DiskNameFor(DiskRequest request) => AzureDiskOptions.From(request, Cloud.Environment).DiskName;

    /// <summary>The tag that marks disks this driver created, as the in-tree plugin and the CSI driver tag theirs.</summary>
    public const string CreatedByTag = "k8s-azure-created-by";

    private ResourceGroupResource ResourceGroup(string? name) =>
        _clients.Arm.GetResourceGroupResource(ResourceGroupResource.CreateResourceIdentifier(Cloud.SubscriptionId, name ?? Cloud.ResourceGroup));

    private Task<ManagedDiskResource?> GetDiskAsync(AzureDiskOptions options, CancellationToken cancellationToken) =>
        ArmCalls.GetOrNullAsync(() => ResourceGroup(options.ResourceGroup).GetManagedDisks().GetAsync(options.DiskName, cancellationToken));

    /// <summary>A disk in the cluster's resource group, by name.</summary>
    private Task<ManagedDiskResource?> GetDiskAsync(string name, CancellationToken cancellationToken) =>
        GetDiskAsync(new AzureDiskOptions(name, null, null, DiskStorageAccountType.StandardSsdLrs, null, []), cancellationToken);

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
            ?? throw new InvalidOptionException(OptionKeys.Size, $"Azure disk '{options.DiskName}' does not exist in resource group {options.ResourceGroup ?? Cloud.ResourceGroup}; set the size option (for example 10Gi) to have it created");
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
            async () => await ArmOperations.WaitForCompletionAsync(await ResourceGroup(options.ResourceGroup).GetManagedDisks().CreateOrUpdateAsync(WaitUntil.Started, options.DiskName, data, cancellationToken), _timeProvider, cancellationToken));
        var skuName = options.Sku.ToString();
        LogCreated(_logger, options.DiskName, (int)size.WholeGiB, skuName);
        return (created, true);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Grew Azure disk {Disk} to {SizeGb} GiB")]
    private static partial void LogResized(ILogger logger, string disk, int sizeGb);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created Azure disk {Disk} of {SizeGb} GiB ({Sku})")]
    private static partial void LogCreated(ILogger logger, string disk, int sizeGb, string sku);

    [LoggerMessage(Level = LogLevel.Information, Message = "Azure disk {Disk} is attached to VM {Owner}; waiting up to {Seconds:0} s for it to be released (drain race)")]
    private static partial void LogWaitingForRelease(ILogger logger, string disk, string owner, double seconds);
}
