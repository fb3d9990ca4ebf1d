using System.Collections.Frozen;
using Azure;
using Azure.Core;
using Azure.ResourceManager.Compute;
using Azure.ResourceManager.Compute.Models;
using Azure.ResourceManager.Resources;
using Microsoft.Extensions.Logging;
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
internal sealed partial class AzureManagedDiskBackend : ICloudDisk
{
    public const string DevicePrefix = "/dev/disk/azure/scsi1/lun";

    private const int MaxLuns = 64;

    private static readonly FrozenSet<string> Keys = AzureDiskOptions.Keys.ToFrozenSet(StringComparer.Ordinal);

    private static readonly TimeSpan DrainPoll = TimeSpan.FromSeconds(2);

    private readonly AzureClients _clients;
    private readonly AzureConfiguration _configuration;
    private readonly VolumeRecords _records;
    private readonly VmUpdateQueue _queue;
    private readonly IVmLockProvider _locks;
    private readonly TimeSpan _lockTimeout;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public AzureManagedDiskBackend(AzureClients clients, AzureConfiguration configuration, VolumeRecords records, IVmLockProvider locks, TimeSpan lockTimeout, TimeProvider timeProvider, ILogger logger)
    {
        _clients = clients;
        _configuration = configuration;
        _records = records;
        _queue = new VmUpdateQueue(configuration.StateDirectory);
        _locks = locks;
        _lockTimeout = lockTimeout;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public IReadOnlySet<string> OptionKeys => Keys;

    private AzureCloudConfig Cloud => _clients.Cloud;

    public async Task<DiskInfo> ProvisionAsync(DiskRequest request, CancellationToken cancellationToken)
    {
        var options = AzureDiskOptions.From(request, Cloud.Environment);
        var (disk, created) = await FindOrCreateAsync(request, options, cancellationToken);
        return new DiskInfo(request.Name, new ByteSize((long)(disk.Data.DiskSizeGB ?? 0) << 30), created);
    }

    public async Task<AttachResult> AttachAsync(DiskRequest request, NodeName node, CancellationToken cancellationToken)
    {
        var options = AzureDiskOptions.From(request, Cloud.Environment);
        var (disk, _) = await FindOrCreateAsync(request, options, cancellationToken);
        var target = AzureNodeVm.For(node, Cloud, _clients.Arm);
        if (disk.Data.ManagedBy is { } owner && !SameResource(owner, target.Id))
        {
            disk = await WaitForReleaseAsync(disk, owner, node, cancellationToken);
        }

        // Azure does not support host caching on disks of 4 TiB and more.
        var caching = (disk.Data.DiskSizeGB ?? 0) >= 4096 ? CachingType.None : options.Caching ?? CachingType.None;
        var answer = await CarryOutAsync(target, new VmDiskRequest(Guid.NewGuid().ToString("N"), disk.Id.ToString(), disk.Data.Name, caching.ToString()), cancellationToken);
        var lun = int.Parse(answer, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture);

        await _records.RememberAsync(request.Name, disk.Id.ToString(), cancellationToken);
        return new AttachResult(DevicePrefix + lun.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public async Task<bool> IsAttachedAsync(DiskRequest request, NodeName node, CancellationToken cancellationToken)
    {
        var disk = await GetDiskAsync(AzureDiskOptions.From(request, Cloud.Environment), cancellationToken);
        return disk?.Data.ManagedBy is { } owner && SameResource(owner, AzureNodeVm.For(node, Cloud, _clients.Arm).Id);
    }

    public async Task DetachAsync(VolumeName volume, NodeName node, CancellationToken cancellationToken)
    {
        var recorded = await _records.DiskNameOfAsync(volume, cancellationToken);
        var diskId = recorded.StartsWith("/subscriptions/", StringComparison.OrdinalIgnoreCase)
            ? new ResourceIdentifier(recorded)
            : ManagedDiskResource.CreateResourceIdentifier(Cloud.SubscriptionId, Cloud.ResourceGroup, recorded);
        var target = AzureNodeVm.For(node, Cloud, _clients.Arm);
        var answer = await CarryOutAsync(target, new VmDiskRequest(Guid.NewGuid().ToString("N"), diskId.ToString(), diskId.Name, nameof(CachingType.None), Detach: true), cancellationToken);
        if (answer == VmUpdateQueue.Absent)
        {
            LogNothingToDetach(_logger, diskId.Name, node.Value);
        }
        else
        {
            LogDetached(_logger, diskId.Name, node.Value);
        }

        _records.Forget(volume);
    }

    public async Task DeleteAsync(VolumeName volume, CancellationToken cancellationToken)
    {
        var recorded = await _records.DiskNameOfAsync(volume, cancellationToken);
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

        await Call($"deleting disk '{name}'", () => disk.DeleteAsync(WaitUntil.Completed, cancellationToken));
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
            await Call($"growing disk '{options.DiskName}' to {wanted} GiB", () => disk.UpdateAsync(WaitUntil.Completed, new ManagedDiskPatch { DiskSizeGB = wanted }, cancellationToken));
            LogResized(_logger, options.DiskName, wanted);
        }

        return ByteSize.FromGiB(wanted);
    }

    public DiskIdentity IdentityFor(DiskRequest request, string? attachedDevicePath)
    {
        var options = AzureDiskOptions.From(request, Cloud.Environment);
        if (attachedDevicePath is not null && attachedDevicePath.StartsWith(DevicePrefix, StringComparison.Ordinal)
            && int.TryParse(attachedDevicePath.AsSpan(DevicePrefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var lun) && lun < MaxLuns)
        {
            return new AzureLunIdentity(options.DiskName, lun);
        }

        throw new InvalidOptionException("devicePath", $"device path '{FlexVolume.OptionsJson.Printable(attachedDevicePath ?? string.Empty)}' is not the {DevicePrefix}<N> path attach returns for Azure disk '{options.DiskName}'");
    }

    /// <summary>The tag that marks disks this driver created, as the in-tree plugin and the CSI driver tag theirs.</summary>
    public const string CreatedByTag = "k8s-azure-created-by";

    private ResourceGroupResource ResourceGroup(string? name) =>
        _clients.Arm.GetResourceGroupResource(ResourceGroupResource.CreateResourceIdentifier(Cloud.SubscriptionId, name ?? Cloud.ResourceGroup));

    private async Task<ManagedDiskResource?> GetDiskAsync(AzureDiskOptions options, CancellationToken cancellationToken)
    {
        try
        {
            return (await ResourceGroup(options.ResourceGroup).GetManagedDisks().GetAsync(options.DiskName, cancellationToken)).Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

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

        var created = await Call(
            $"creating disk '{options.DiskName}'",
            () => ResourceGroup(options.ResourceGroup).GetManagedDisks().CreateOrUpdateAsync(WaitUntil.Completed, options.DiskName, data, cancellationToken));
        var skuName = options.Sku.ToString();
        LogCreated(_logger, options.DiskName, (int)size.WholeGiB, skuName);
        return (created.Value, true);
    }

    /// <summary>The drain race: wait for the other VM to let go; never detach from it on our own.</summary>
    private async Task<ManagedDiskResource> WaitForReleaseAsync(ManagedDiskResource disk, ResourceIdentifier owner, NodeName node, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        var wait = _configuration.DrainWaitOrDefault;
        var ownerName = NodeNameOf(owner);
        LogWaitingForRelease(_logger, disk.Data.Name, ownerName, wait.TotalSeconds);
        while (_timeProvider.GetElapsedTime(started) < wait)
        {
            var remaining = wait - _timeProvider.GetElapsedTime(started);
            await Task.Delay(remaining < DrainPoll ? remaining : DrainPoll, _timeProvider, cancellationToken);
            disk = (await disk.GetAsync(cancellationToken)).Value;
            if (disk.Data.ManagedBy is null)
            {
                return disk;
            }
        }

        throw new DiskOperationException(
            $"Azure disk '{disk.Data.Name}' is still attached to VM '{NodeNameOf(owner)}' after waiting {wait.TotalSeconds:0} s; this driver never detaches a disk from another VM, which may still be writing to it. kubelet retries the attach to '{node.Value}' once that node has detached it.");
    }

    /// <summary>
    /// Carries out one attach or detach under the VM's lock. The request is queued before the lock is
    /// awaited, so the holder of the lock may carry it in its own update; then the answer is waiting
    /// and no update is needed. Otherwise this process makes one update for every request waiting
    /// for the VM. Returns an attach's LUN, <see cref="VmUpdateQueue.Detached"/> or
    /// <see cref="VmUpdateQueue.Absent"/> (a detach with nothing to detach).
    /// </summary>
    private async Task<string> CarryOutAsync(AzureNodeVm target, VmDiskRequest own, CancellationToken cancellationToken)
    {
        var node = target.Node.Value;
        await _queue.EnqueueAsync(node, own, cancellationToken);
        try
        {
            await using (await _locks.AcquireAsync(node, _lockTimeout, cancellationToken))
            {
                if (await _queue.TakeAnswerAsync(node, own.Id, cancellationToken) is { } answered)
                {
                    var described = target.Describe();
                    LogBatchedByAnother(_logger, own.DiskName, described, answered);
                    return answered;
                }

                var vm = await target.GetAsync(cancellationToken);
                if (vm is null && own.Detach)
                {
                    _queue.Withdraw(node, own.Id);
                    return VmUpdateQueue.Absent;
                }

                if (vm is null)
                {
                    throw new DiskOperationException($"resource group {Cloud.ResourceGroup} has no {target.Describe()}; the node name must be its VM's name (or, with vmType vmss, its instance's computer name)");
                }

                if (vm.UnmanagedOsDisk && !own.Detach)
                {
                    throw new DiskOperationException($"{target.Describe()} boots from an unmanaged (blob VHD) OS disk, and Azure does not attach managed disks to a VM with blob-based disks; use a blob disk (kind shared or dedicated, on Azure Stack Hub) or move the pod to a node with a managed OS disk.");
                }

                return await UpdateVmAsync(target, vm, await _queue.PendingAsync(node, cancellationToken), own, cancellationToken);
            }
        }
        catch
        {
            _queue.Withdraw(node, own.Id);
            throw;
        }
    }

    /// <summary>
    /// One VM update for the requests waiting on this VM (ours included): an attach already on the VM
    /// is answered with its LUN, a detach of a disk not there with Absent; the other attaches get the
    /// lowest free LUNs and the detaches toBeDetached, one sparse PUT carries them all, and every
    /// outcome is read back from the VM the operation returns. A disk that is both attached and
    /// detached by waiting requests is left to those requests' own processes (their order is theirs),
    /// and so are attaches to a VM that cannot take managed disks.
    /// </summary>
    private async Task<string> UpdateVmAsync(AzureNodeVm target, AzureVmState vm, IReadOnlyList<VmDiskRequest> pending, VmDiskRequest own, CancellationToken cancellationToken)
    {
        var node = target.Node.Value;
        if (!pending.Any(r => r.Id == own.Id))
        {
            pending = [.. pending, own];
        }

        var contested = pending.GroupBy(r => r.DiskId, StringComparer.OrdinalIgnoreCase)
            .Where(g => g.Any(r => r.Detach) && g.Any(r => !r.Detach))
            .Select(g => g.Key)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var batch = pending
            .Where(r => r.Id == own.Id || (!contested.Contains(r.DiskId) && !(vm.UnmanagedOsDisk && !r.Detach)))
            .ToList();

        Dictionary<string, string> answers;
        try
        {
            answers = await ApplyAsync(target, vm, batch, cancellationToken);
        }
        catch (DiskOperationException e) when (e.InnerException is RequestFailedException refusal && IsDataDiskLimit(refusal) && batch.Any(r => r.Id != own.Id && !r.Detach))
        {
            // A batch over the VM size's data-disk limit fails whole, though some of it would fit (the CSI
            // driver's fix, azuredisk-csi-driver#2883): carry this process's request and the detaches alone,
            // and leave the other attaches to their own processes.
            var described = target.Describe();
            LogBatchOverLimit(_logger, described, batch.Count(r => !r.Detach));
            batch = batch.Where(r => r.Id == own.Id || r.Detach).ToList();
            answers = await ApplyAsync(target, vm, batch, cancellationToken);
        }

        foreach (var request in batch.Where(r => answers.ContainsKey(r.Id)))
        {
            await _queue.AnswerAsync(node, request, answers[request.Id], writeAnswer: request.Id != own.Id, cancellationToken);
        }

        return answers.TryGetValue(own.Id, out var answer)
            ? answer
            : throw new DiskOperationException(own.Detach
                ? $"{target.Describe()} still lists disk '{own.DiskName}' after the update that detached it; kubelet's retry will look again"
                : $"{target.Describe()} does not list disk '{own.DiskName}' after the update that attached it; kubelet's retry will look again");
    }

    /// <summary>Plans and makes the one update for <paramref name="batch"/>; returns each request's answer.</summary>
    private async Task<Dictionary<string, string>> ApplyAsync(AzureNodeVm target, AzureVmState vm, IReadOnlyList<VmDiskRequest> batch, CancellationToken cancellationToken)
    {
        var node = target.Node.Value;
        var answers = new Dictionary<string, string>(StringComparer.Ordinal);
        var disks = vm.DataDisks.Select(AzureNodeVm.Carried).ToList();
        var toAttach = new List<VmDiskRequest>();
        var toDetach = new List<VmDiskRequest>();
        foreach (var request in batch)
        {
            var entry = vm.DataDisks.FirstOrDefault(d => IsDisk(d, request) && (request.Detach || d.ToBeDetached != true));
            if (request.Detach && entry is null)
            {
                answers[request.Id] = VmUpdateQueue.Absent;
            }
            else if (request.Detach)
            {
                // toBeDetached is how ARM detaches from a running VM; removing the entry works too but
                // is not what the API defines for it.
                disks.Single(d => d.Lun == entry!.Lun).ToBeDetached = true;
                toDetach.Add(request);
            }
            else if (entry is not null)
            {
                LogAlreadyAttached(_logger, request.DiskName, node, entry.Lun);
                answers[request.Id] = entry.Lun.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                toAttach.Add(request);
            }
        }

        var used = vm.DataDisks.Select(d => d.Lun).ToHashSet();
        foreach (var request in toAttach)
        {
            var lun = Enumerable.Range(0, MaxLuns).FirstOrDefault(l => !used.Contains(l), -1);
            if (lun < 0)
            {
                throw new DiskOperationException($"{target.Describe()} already uses all {MaxLuns} LUNs; detach a disk first.");
            }

            used.Add(lun);
            disks.Add(new VirtualMachineDataDisk(lun, DiskCreateOptionType.Attach)
            {
                Name = request.DiskName,
                Caching = Enum.Parse<CachingType>(request.Caching),
                ManagedDisk = new VirtualMachineManagedDisk { Id = new ResourceIdentifier(request.DiskId) },
            });
        }

        if (toAttach.Count + toDetach.Count > 0)
        {
            var what = string.Join("; ", new[] { ("attaching", toAttach), ("detaching", toDetach) }.Where(p => p.Item2.Count > 0).Select(p => $"{p.Item1} {string.Join(", ", p.Item2.Select(r => r.DiskName))}"));
            var described = target.Describe();
            var updated = await PutVmAsync(target, vm.Location, disks, $"{what} on {described}", cancellationToken);
            LogBatch(_logger, described, toAttach.Count, toDetach.Count, what);

            // The VM the operation returns is the truth, whatever was asked.
            foreach (var request in toAttach)
            {
                if (updated.DataDisks.FirstOrDefault(d => IsDisk(d, request)) is { } entry)
                {
                    LogAttached(_logger, request.DiskName, node, entry.Lun);
                    answers[request.Id] = entry.Lun.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
            }

            foreach (var request in toDetach.Where(r => !updated.DataDisks.Any(d => IsDisk(d, r))))
            {
                answers[request.Id] = VmUpdateQueue.Detached;
            }
        }

        return answers;
    }

    private static bool IsDisk(VirtualMachineDataDisk entry, VmDiskRequest request) =>
        entry.ManagedDisk?.Id is { } id && SameResource(id, new ResourceIdentifier(request.DiskId));

    /// <summary>
    /// The VM update, retried a bounded number of times (with backoff) when ARM says another update of
    /// the VM got in the way: those clear by themselves in seconds. 429s are not retried here: the
    /// SDK's retry policy already honours Retry-After, and a second layer would multiply the calls.
    /// </summary>
    private Task<AzureVmState> PutVmAsync(AzureNodeVm target, AzureLocation location, IReadOnlyList<VirtualMachineDataDisk> disks, string what, CancellationToken cancellationToken) =>
        Call(what, async () =>
        {
            var delay = TimeSpan.FromSeconds(1);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await target.UpdateDataDisksAsync(location, disks, cancellationToken);
                }
                catch (RequestFailedException e) when (attempt < MaxVmUpdateAttempts && e.Status != 429 && !IsBlobBasedVmRefusal(e) && !IsDataDiskLimit(e) && e.ErrorCode is "OperationPreempted" or "OperationNotAllowed" or "AttachDiskWhileBeingDetached")
                {
                    // Not a 429: compute throttling also says OperationNotAllowed, and the SDK has retried that already.
                    var code = e.ErrorCode ?? "?";
                    var targetName = target.Describe();
                    LogVmUpdateRetry(_logger, targetName, code, attempt, delay.TotalSeconds);
                    await Task.Delay(delay, _timeProvider, cancellationToken);
                    delay *= 2;
                }
            }
        });

    private const int MaxVmUpdateAttempts = 4;

    /// <summary>ARM's OperationNotAllowed for a managed disk on a VM with blob-based disks: permanent, unlike a busy VM.</summary>
    private static bool IsBlobBasedVmRefusal(RequestFailedException e) => e.Message.Contains("blob based disks", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// ARM's refusal of more data disks than the VM's size allows: OperationNotAllowed (409) saying
    /// "The maximum number of data disks allowed to be attached to a VM of this size is N", or the
    /// MaximumDataDiskExceeded code older API versions used. Permanent until a disk leaves.
    /// </summary>
    private static bool IsDataDiskLimit(RequestFailedException e) =>
        e.ErrorCode == "MaximumDataDiskExceeded" || e.Message.Contains("maximum number of data disks", StringComparison.OrdinalIgnoreCase);

    /// <summary>Turns ARM's refusals into Failures a person understands.</summary>
    private static async Task<T> Call<T>(string what, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RequestFailedException e)
        {
            var explanation = e.ErrorCode switch
            {
                _ when e.Status == 429 => "ARM is throttling this subscription's requests (the SDK already waited the Retry-After it asked for); kubelet's retry will try again later",
                "ConflictingUserInput" => "the disk is attached to another VM; it must be detached there first",
                "AttachDiskWhileBeingDetached" => "the disk is still being detached; kubelet's retry will attach it once that ends",
                _ when IsDataDiskLimit(e) => "the VM's size allows no more data disks; detach one, or move the pod to a node of a larger size",
                "OperationNotAllowed" when IsBlobBasedVmRefusal(e) => "the VM's disks are blob VHDs, and Azure attaches no managed disk to such a VM; use a blob disk (kind shared or dedicated)",
                "OperationNotAllowed" => "another operation is updating the VM; kubelet's retry will try again",
                "OperationPreempted" => "a newer update of the VM replaced this one; kubelet's retry will try again",
                _ => null,
            };
            var first = e.Message.Split('\n', 2)[0].Trim();
            throw new DiskOperationException($"Azure refused {what} ({e.Status} {e.ErrorCode}): {first}{(explanation is null ? string.Empty : "; " + explanation)}", e);
        }
    }

    private static bool Matches(VirtualMachineDataDisk entry, ManagedDiskResource disk) =>
        (entry.ManagedDisk?.Id is { } id && SameResource(id, disk.Id)) || string.Equals(entry.Name, disk.Data.Name, StringComparison.OrdinalIgnoreCase);

    /// <summary>ARM ids compare without case: ARM returns its own casing, users type theirs.</summary>
    private static bool SameResource(ResourceIdentifier a, ResourceIdentifier b) => string.Equals(a.ToString(), b.ToString(), StringComparison.OrdinalIgnoreCase);

    [LoggerMessage(Level = LogLevel.Information, Message = "Azure disk {Disk} is already attached to VM {Vm} at LUN {Lun}")]
    private static partial void LogAlreadyAttached(ILogger logger, string disk, string vm, int lun);

    [LoggerMessage(Level = LogLevel.Information, Message = "Attached Azure disk {Disk} to VM {Vm} at LUN {Lun}")]
    private static partial void LogAttached(ILogger logger, string disk, string vm, int lun);

    [LoggerMessage(Level = LogLevel.Information, Message = "Azure disk {Disk} was handled on {Vm} by another process's update ({Outcome})")]
    private static partial void LogBatchedByAnother(ILogger logger, string disk, string vm, string outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "One update of {Vm} attached {Attached} and detached {Detached} disk(s): {What}")]
    private static partial void LogBatch(ILogger logger, string vm, int attached, int detached, string what);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ARM refused the update of {Vm} with {Code} (attempt {Attempt}); retrying in {DelaySeconds:0} s")]
    private static partial void LogVmUpdateRetry(ILogger logger, string vm, string code, int attempt, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Vm} refused a batch of {Attaches} attaches as over its size's data-disk limit; carrying this process's request alone")]
    private static partial void LogBatchOverLimit(ILogger logger, string vm, int attaches);

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
