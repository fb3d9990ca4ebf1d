using Microsoft.Extensions.Logging;
using VolumeDriver.Backends.VCloud.Models;
using VolumeDriver.CloudCalls;
using VolumeDriver.Configuration;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.Locking;

namespace VolumeDriver.Backends.VCloud;

/// <summary>
/// VMware Cloud Director independent disks. A disk is found by name with the query service, created
/// on first attach, and attached through its VM's disk:attach link under the VM's lock (one lock for
/// attach and detach: vCD runs one task per VM at a time). The node finds the device by the disk's
/// UUID, which the guest sees as the WWN, so attach returns /dev/disk/by-id/wwn-0x&lt;uuid&gt;. A server
/// without API 36 reports no UUID: attach then returns no device, and the node asks vCloud where the
/// disk sits on its VM (<see cref="ReadLayoutAsync"/>) and matches that slot against its SCSI devices.
/// </summary>
internal sealed partial class VCloudDiskBackend : ICloudDisk, IVmDiskLayoutSource
{
    private const long MiB = 1024 * 1024;

    private readonly VCloudClient _client;
    private readonly VCloudConfiguration _configuration;
    private readonly VolumeRecords _records;
    private readonly IVmLockProvider _locks;
    private readonly TimeSpan _lockTimeout;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public VCloudDiskBackend(
        VCloudClient client,
        VCloudConfiguration configuration,
        VolumeRecords records,
        IVmLockProvider locks,
        TimeSpan lockTimeout,
        TimeProvider timeProvider,
        ILogger logger)
    {
        _client = client;
        _configuration = configuration;
        _records = records;
        _locks = locks;
        _lockTimeout = lockTimeout;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public async Task<DiskInfo> ProvisionAsync(DiskRequest request, CancellationToken cancellationToken)
    {
        var (disk, created) = await FindOrCreateAsync(request, VCloudDiskOptions.From(request), cancellationToken);
        return new DiskInfo(request.Name, new ByteSize(disk.SizeBytes), created);
    }

    public async Task<AttachResult> AttachAsync(DiskRequest request, NodeName node, CancellationToken cancellationToken)
    {
        var options = VCloudDiskOptions.From(request);
        var diskName = options.DiskName;
        var vmName = VmNameOf(node);
        var (disk, _) = await FindOrCreateAsync(request, options, cancellationToken);
        var device = DevicePathOf(disk);

        var attached = await _client.AttachedVmsAsync(disk, cancellationToken);
        if (attached.Any(vm => vm.Name == vmName))
        {
            LogAlreadyAttached(_logger, diskName, vmName);
            await _records.RememberAsync(request.Name, diskName, cancellationToken);
            return new AttachResult(device);
        }

        if (attached.Count > 0 && !disk.Shareable)
        {
            await WaitForReleaseAsync(disk, attached, vmName, cancellationToken);
        }

        var vm = await FindVmAsync(vmName, cancellationToken);
        using var deadline = Deadline.Start($"attaching disk '{diskName}' to VM '{vmName}'", _configuration.TaskTimeout, _timeProvider, cancellationToken);
        await using (await _locks.AcquireAsync(vmName, _lockTimeout, cancellationToken))
        {
            var entity = await _client.GetVmAsync(vm.Href, cancellationToken);
            var attachLink = entity.AttachLink
                ?? throw new DiskOperationException($"VM '{vmName}' offers no disk:attach action (is it a vApp template, or is the user not allowed to change it?)");
            await _client.AttachOrDetachAsync(attachLink, disk, $"attaching disk '{diskName}' to VM '{vmName}'", deadline, cancellationToken);
        }

        LogAttached(_logger, diskName, vmName, device.Length > 0 ? device : "none: vCloud reports no UUID for it, so the node locates it by its slot");
        await _records.RememberAsync(request.Name, diskName, cancellationToken);
        return new AttachResult(device);
    }

    public async Task<bool> IsAttachedAsync(DiskRequest request, NodeName node, CancellationToken cancellationToken)
    {
        var disk = await FindOneAsync(VCloudDiskOptions.From(request).DiskName, cancellationToken);
        if (disk is null)
        {
            return false;
        }

        var vmName = VmNameOf(node);
        return (await _client.AttachedVmsAsync(disk, cancellationToken)).Any(vm => vm.Name == vmName);
    }

    public async Task DetachAsync(VolumeName volume, NodeName node, CancellationToken cancellationToken)
    {
        var diskName = await _records.DiskNameOfAsync(volume, cancellationToken);
        var vmName = VmNameOf(node);
        var disk = await FindOneAsync(diskName, cancellationToken);
        if (disk is null)
        {
            LogNothingToDetach(_logger, diskName, vmName, "the disk does not exist");
            _records.Forget(volume);
            return;
        }

        var attached = await _client.AttachedVmsAsync(disk, cancellationToken);
        var ours = attached.FirstOrDefault(vm => vm.Name == vmName);
        if (ours is null)
        {
            LogNothingToDetach(_logger, diskName, vmName, attached.Count == 0 ? "it is attached nowhere" : $"it is attached to {string.Join(", ", attached.Select(v => v.Name))}");
            _records.Forget(volume);
            return;
        }

        await DetachFromAsync(disk, ours, cancellationToken);
        _records.Forget(volume);
    }

    public async Task DeleteAsync(VolumeName volume, CancellationToken cancellationToken)
    {
        var diskName = await _records.DiskNameOfAsync(volume, cancellationToken);
        var disk = await FindOneAsync(diskName, cancellationToken);
        if (disk is null)
        {
            return;
        }

        var attached = await _client.AttachedVmsAsync(disk, cancellationToken);
        if (attached.Count > 0)
        {
            throw new UnsafeOperationException($"vCloud disk '{diskName}' is attached to {string.Join(", ", attached.Select(v => v.Name))}; detach it before deleting it.");
        }

        using var deadline = Deadline.Start($"deleting disk '{disk.Name}'", _configuration.TaskTimeout, _timeProvider, cancellationToken);
        await _client.DeleteDiskAsync(disk, deadline, cancellationToken);
        _records.Forget(volume);
        LogDeleted(_logger, diskName);
    }

    public async Task<IReadOnlyList<VolumeSummary>> ListAsync(CancellationToken cancellationToken)
    {
        var nodeOfVm = _configuration.VmNames.ToDictionary(pair => pair.Value, pair => pair.Key, StringComparer.Ordinal);
        var summaries = new List<VolumeSummary>();
        foreach (var disk in await _client.ListDisksAsync(cancellationToken))
        {
            if (!VolumeName.TryCreate(disk.Name, out var name, out _))
            {
                continue;
            }

            NodeName? node = null;

            // A VDC holds hundreds of disks: ask only those the query lists as attached for their VMs.
            IReadOnlyList<VCloudVmReference> holders = disk.ListedAsAttached == false ? [] : await _client.AttachedVmsAsync(disk, cancellationToken);
            var vm = holders.Count > 0 ? holders[0] : null;
            if (vm is not null && NodeName.TryCreate(nodeOfVm.GetValueOrDefault(vm.Name, vm.Name), out var attachedNode, out _))
            {
                node = attachedNode;
            }

            summaries.Add(new VolumeSummary(name.Value, new ByteSize(disk.SizeBytes), disk.StorageProfileName, node, vm is null || disk.Uuid is null ? null : DevicePathOf(disk)));
        }

        return summaries.OrderBy(s => s.Name.Value, StringComparer.Ordinal).ToList();
    }

    public async Task<ByteSize> ResizeAsync(DiskRequest request, ByteSize newSize, CancellationToken cancellationToken)
    {
        var diskName = VCloudDiskOptions.From(request).DiskName;
        var disk = await FindOneAsync(diskName, cancellationToken)
            ?? throw new DiskOperationException($"vCloud disk '{diskName}' does not exist in VDC '{_configuration.Vdc}', so it cannot be grown.");
        var wanted = (newSize.Bytes + MiB - 1) / MiB * MiB;
        if (disk.SizeBytes == wanted)
        {
            return new ByteSize(disk.SizeBytes);
        }

        if (disk.SizeBytes > wanted)
        {
            throw new UnsafeOperationException($"vCloud disk '{diskName}' is {new ByteSize(disk.SizeBytes)}, larger than the {newSize} asked for; disks are never shrunk.");
        }

        var attached = await _client.AttachedVmsAsync(disk, cancellationToken);
        if (attached.Count > 0)
        {
            // vCD grows an attached disk only through its VM's hardware; growing it offline is the
            // safe path that works on every version.
            throw new DiskOperationException(
                $"vCloud disk '{diskName}' is attached to {string.Join(", ", attached.Select(v => v.Name))}; this driver grows vCloud disks only while they are detached. Stop the pod that uses it and kubelet will retry.");
        }

        using var deadline = Deadline.Start($"resizing disk '{disk.Name}'", _configuration.TaskTimeout, _timeProvider, cancellationToken);
        await _client.ResizeDiskAsync(disk, wanted, deadline, cancellationToken);
        LogResized(_logger, diskName, wanted);
        return new ByteSize(wanted);
    }

    /// <summary>
    /// The identity is in the device path attach returned (<c>/dev/disk/by-id/wwn-0x&lt;uuid&gt;</c>) or
    /// waitforattach returned (the same, with <c>-part1</c> for a volume the Python driver partitioned).
    /// Any other path (attach returned none, for a disk without a UUID, and waitforattach then named
    /// the device it found) means: ask vCloud where the disk sits on this node's VM.
    /// </summary>
    public DiskIdentity IdentityFor(DiskRequest request, string? attachedDevicePath)
    {
        var diskName = VCloudDiskOptions.From(request).DiskName;
        if (attachedDevicePath is not null && attachedDevicePath.StartsWith(ByIdPrefix, StringComparison.Ordinal))
        {
            var hex = attachedDevicePath[ByIdPrefix.Length..];
            if (hex.EndsWith(PartitionSuffix, StringComparison.Ordinal))
            {
                hex = hex[..^PartitionSuffix.Length];
            }

            if (hex.Length == 32 && hex.All(char.IsAsciiHexDigitLower))
            {
                return new VCloudDiskIdentity(diskName, hex);
            }
        }

        return new VCloudSlotIdentity(diskName);
    }

    /// <summary>
    /// The node's view for a disk without a UUID: every disk of the node's VM with its controller,
    /// unit and capacity (the OS disk too, as the node matches whole controllers), the volume marked.
    /// </summary>
    public async Task<VmDiskLayout> ReadLayoutAsync(string diskName, NodeName node, CancellationToken cancellationToken)
    {
        var disk = await FindOneAsync(diskName, cancellationToken)
            ?? throw new DiskOperationException($"VDC '{_configuration.Vdc}' has no disk named '{diskName}'; it was never attached, or was deleted.");
        var vmName = VmNameOf(node);
        var vm = await _client.GetVmAsync((await FindVmAsync(vmName, cancellationToken)).Href, cancellationToken);
        var slots = vm.Disks
            .Select(d => new VmDiskSlot(d.Controller, d.Unit, d.CapacityMb * MiB, d.IndependentDisk is { } href && VCloudXml.IdOf(href) == disk.Id))
            .ToList();
        return new VmDiskLayout(vmName, slots, disk.Uuid is null ? null : WwnOf(disk.Uuid));
    }

    private const string ByIdPrefix = "/dev/disk/by-id/wwn-0x";

    private const string PartitionSuffix = "-part1";

    /// <summary>
    /// The stable path udev gives the disk on a VMware guest with disk.enableUUID: its WWN is the
    /// disk's UUID. Without a UUID (no API ≥ 36) there is no path to give: kubelet passes the empty
    /// device on, and the node locates the disk by its slot.
    /// </summary>
    private static string DevicePathOf(VCloudDisk disk) => disk.Uuid is { } uuid ? ByIdPrefix + WwnOf(uuid) : string.Empty;

    private static string WwnOf(string uuid) => uuid.Replace("-", string.Empty, StringComparison.Ordinal).ToLowerInvariant();

    private string VmNameOf(NodeName node) => _configuration.VmNames.GetValueOrDefault(node.Value, node.Value);

    private async Task<VCloudDisk?> FindOneAsync(string diskName, CancellationToken cancellationToken)
    {
        var disks = await _client.FindDisksAsync(diskName, cancellationToken);
        return disks.Count switch
        {
            0 => null,
            1 => disks[0],
            _ => throw new DiskOperationException(
                $"VDC '{_configuration.Vdc}' has {disks.Count} disks named '{diskName}' ({string.Join(", ", disks.Select(d => d.Id))}); this driver will not guess which holds the data. Rename or remove the extra ones in vCloud Director."),
        };
    }

    private async Task<(VCloudDisk Disk, bool Created)> FindOrCreateAsync(DiskRequest request, VCloudDiskOptions options, CancellationToken cancellationToken)
    {
        var diskName = options.DiskName;
        var existing = await FindOneAsync(diskName, cancellationToken);
        if (existing is not null)
        {
            return (existing, false);
        }

        var size = request.Size
            ?? throw new InvalidOptionException(OptionKeys.Size, $"vCloud disk '{diskName}' does not exist in VDC '{_configuration.Vdc}'; set the size option (for example 10Gi) to have it created");
        var bus = options.Bus;
        var vdc = await _client.GetVdcAsync(cancellationToken);
        var profileName = options.StorageProfile ?? _configuration.DefaultStorage;
        VCloudStorageProfile? profile = null;
        if (profileName is not null)
        {
            profile = vdc.StorageProfiles.TryGetValue(profileName, out var href)
                ? new VCloudStorageProfile(profileName, href)
                : throw new InvalidOptionException(VCloudDiskOptions.StorageOption, $"VDC '{_configuration.Vdc}' has no storage profile '{profileName}'; it has {string.Join(", ", vdc.StorageProfiles.Keys.Order(StringComparer.Ordinal))}");
        }

        var bytes = (size.Bytes + MiB - 1) / MiB * MiB;
        var spec = new VCloudDiskSpec(diskName, bytes, profile, bus, $"Kubernetes volume {request.Name.Value}, created by volume-driver");
        using (var deadline = Deadline.Start($"creating disk '{diskName}'", _configuration.TaskTimeout, _timeProvider, cancellationToken))
        {
            await _client.CreateDiskAsync(vdc, spec, deadline, cancellationToken);
        }

        LogCreated(_logger, diskName, bytes, profileName ?? "(VDC default)", bus.BusType, bus.BusSubType);

        // Read it back by name: this also catches a disk of the same name created at the same moment.
        var created = await FindOneAsync(diskName, cancellationToken)
            ?? throw new DiskOperationException($"vCloud disk '{diskName}' was created but the query service does not list it yet; kubelet's retry will find it.");
        return (created, true);
    }

    private async Task<VCloudVmRecord> FindVmAsync(string vmName, CancellationToken cancellationToken)
    {
        var vms = await _client.FindVmsAsync(vmName, _configuration.VApp, cancellationToken);
        return vms.Count switch
        {
            1 => vms[0],
            0 => throw new DiskOperationException($"VDC '{_configuration.Vdc}' has no VM named '{vmName}'; map the node to its VM with vcloud.vm_names if their names differ."),
            _ => throw new DiskOperationException(
                $"VDC '{_configuration.Vdc}' has {vms.Count} VMs named '{vmName}' (in vApps {string.Join(", ", vms.Select(v => v.VAppName ?? "?"))}); set vcloud.vapp to the cluster's vApp so the driver knows which one is the node."),
        };
    }

    /// <summary>
    /// The drain race: kubelet on the new node attaches before the old node has detached. Wait for the
    /// old VM to let go; vCD may drop it from attachedVms before its detach task ends, and the attach
    /// then meets BUSY_ENTITY, which the client retries. Never detach from a running VM: that VM may
    /// still be writing. A powered-off VM may be detached from when the policy allows it, logged.
    /// </summary>
    private async Task WaitForReleaseAsync(VCloudDisk disk, IReadOnlyList<VCloudVmReference> holders, string vmName, CancellationToken cancellationToken)
    {
        var holderNames = string.Join(", ", holders.Select(h => h.Name));
        LogWaitingForRelease(_logger, disk.Name, holderNames, _configuration.DrainWait.TotalSeconds);
        if (await new DrainWait(_timeProvider).UntilReleasedAsync(_configuration.DrainWait, async token => (holders = await _client.AttachedVmsAsync(disk, token)).Count == 0, cancellationToken))
        {
            return;
        }

        var holder = holders[0];
        var entity = await _client.GetVmAsync(holder.Href, cancellationToken);
        if (!entity.PoweredOn && _configuration.DetachFromPoweredOffVms)
        {
            LogForcedDetach(_logger, disk.Name, holder.Name, vmName);
            await DetachFromAsync(disk, holder, cancellationToken);
            return;
        }

        var policy = entity.PoweredOn
            ? "it is powered on and may still be writing, so this driver will not detach it"
            : "it is powered off; set vcloud.detach_powered_off: true to let attach detach disks from powered-off VMs";
        throw new DiskOperationException(
            $"vCloud disk '{disk.Name}' is still attached to VM '{holder.Name}' after waiting {_configuration.DrainWait.TotalSeconds:0} s for it to be released; {policy}. kubelet retries the attach once the old node has detached it.");
    }

    private async Task DetachFromAsync(VCloudDisk disk, VCloudVmReference vm, CancellationToken cancellationToken)
    {
        using var deadline = Deadline.Start($"detaching disk '{disk.Name}' from VM '{vm.Name}'", _configuration.TaskTimeout, _timeProvider, cancellationToken);
        await using (await _locks.AcquireAsync(vm.Name, _lockTimeout, cancellationToken))
        {
            try
            {
                var entity = await _client.GetVmAsync(vm.Href, cancellationToken);
                var detachLink = entity.DetachLink
                    ?? throw new DiskOperationException($"VM '{vm.Name}' offers no disk:detach action (is the user not allowed to change it?)");
                await _client.AttachOrDetachAsync(detachLink, disk, $"detaching disk '{disk.Name}' from VM '{vm.Name}'", deadline, cancellationToken);
            }
            catch (CloudRequestException e) when (e.IsNotFound)
            {
                // The VM or the disk went away meanwhile: nothing is attached any more.
                LogNothingToDetach(_logger, disk.Name, vm.Name, "the VM or disk is gone");
                return;
            }
        }

        LogDetached(_logger, disk.Name, vm.Name);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "vCloud disk {Disk} is already attached to VM {Vm}")]
    private static partial void LogAlreadyAttached(ILogger logger, string disk, string vm);

    [LoggerMessage(Level = LogLevel.Information, Message = "Attached vCloud disk {Disk} to VM {Vm}; its device will be {Device}")]
    private static partial void LogAttached(ILogger logger, string disk, string vm, string device);

    [LoggerMessage(Level = LogLevel.Information, Message = "Detached vCloud disk {Disk} from VM {Vm}")]
    private static partial void LogDetached(ILogger logger, string disk, string vm);

    [LoggerMessage(Level = LogLevel.Information, Message = "Nothing to detach for vCloud disk {Disk} on VM {Vm}: {Reason}")]
    private static partial void LogNothingToDetach(ILogger logger, string disk, string vm, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created vCloud disk {Disk} of {Bytes} bytes on storage profile {Profile}, bus {BusType}/{BusSubType}")]
    private static partial void LogCreated(ILogger logger, string disk, long bytes, string profile, string busType, string busSubType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted vCloud disk {Disk}")]
    private static partial void LogDeleted(ILogger logger, string disk);

    [LoggerMessage(Level = LogLevel.Information, Message = "Grew vCloud disk {Disk} to {Bytes} bytes")]
    private static partial void LogResized(ILogger logger, string disk, long bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "vCloud disk {Disk} is attached to {Holders}; waiting up to {Seconds:0} s for it to be released (drain race)")]
    private static partial void LogWaitingForRelease(ILogger logger, string disk, string holders, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Policy detach_powered_off: detaching vCloud disk {Disk} from powered-off VM {Holder} so that VM {Vm} can attach it")]
    private static partial void LogForcedDetach(ILogger logger, string disk, string holder, string vm);
}
