using Azure;
using Azure.Core;
using Azure.ResourceManager.Compute.Models;
using Microsoft.Extensions.Logging;
using VolumeDriver.CloudCalls;
using VolumeDriver.Errors;
using VolumeDriver.Locking;

namespace VolumeDriver.Backends.Azure;

/// <summary>
/// The one way this driver changes a VM's data disks: requests queue for the VM (<see cref="VmUpdateQueue"/>),
/// the holder of the VM's lock carries every waiting request in one sparse update, reads the outcome
/// back from the VM the operation returns, and answers each request. ARM's refusals that clear by
/// themselves are retried a bounded number of times; a batch over the VM size's data-disk limit is
/// retried with the caller's request alone.
/// </summary>
internal sealed partial class VmDataDiskUpdater
{
    private const int MaxLuns = 64;

    private readonly VmUpdateQueue _queue;
    private readonly IVmLockProvider _locks;
    private readonly TimeSpan _lockTimeout;
    private readonly string _resourceGroup;
    private readonly RetryLoop _retry;
    private readonly ILogger _logger;

    public VmDataDiskUpdater(VmUpdateQueue queue, IVmLockProvider locks, TimeSpan lockTimeout, string resourceGroup, TimeProvider timeProvider, ILogger logger)
    {
        _queue = queue;
        _locks = locks;
        _lockTimeout = lockTimeout;
        _resourceGroup = resourceGroup;
        _retry = new RetryLoop(timeProvider);
        _logger = logger;
    }

    /// <summary>Attaches the disk <paramref name="attach"/> names; returns its LUN.</summary>
    public async Task<int> AttachAsync(AzureNodeVm target, VmDiskRequest attach, CancellationToken cancellationToken) =>
        await CarryOutAsync(target, attach, cancellationToken) is VmDiskOutcome.Attached attached
            ? attached.Lun
            : throw new DiskOperationException($"{target.Describe()} answered an attach of disk '{attach.DiskName}' with no LUN; kubelet's retry will look again");

    /// <summary>Detaches the disk <paramref name="detach"/> names; false when it was not on the VM (or the VM is gone).</summary>
    public async Task<bool> DetachAsync(AzureNodeVm target, VmDiskRequest detach, CancellationToken cancellationToken) =>
        await CarryOutAsync(target, detach, cancellationToken) is not VmDiskOutcome.Absent;

    /// <summary>
    /// Carries out one attach or detach under the VM's lock. The request is queued before the lock is
    /// awaited, so the holder of the lock may carry it in its own update; then the answer is waiting
    /// and no update is needed. Otherwise this process makes one update for every request waiting
    /// for the VM.
    /// </summary>
    public async Task<VmDiskOutcome> CarryOutAsync(AzureNodeVm target, VmDiskRequest own, CancellationToken cancellationToken)
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
                    LogBatchedByAnother(_logger, own.DiskName, described, answered.AnswerText);
                    return answered;
                }

                var vm = await target.GetAsync(cancellationToken);
                if (vm is null && own.Detach)
                {
                    _queue.Withdraw(node, own.Id);
                    return new VmDiskOutcome.Absent();
                }

                if (vm is null)
                {
                    throw new DiskOperationException($"resource group {_resourceGroup} has no {target.Describe()}; the node name must be its VM's name (or, with vmType vmss, its instance's computer name)");
                }

                if (!own.Detach && vm.UnmanagedOsDisk != own.Vhd)
                {
                    // Azure's rule, in the words of its README: managed and blob disks never mix on one VM.
                    throw new DiskOperationException(vm.UnmanagedOsDisk
                        ? $"{target.Describe()} boots from an unmanaged (blob VHD) OS disk, and Azure does not attach managed disks to a VM with blob-based disks; use a blob disk (kind shared or dedicated, on Azure Stack Hub) or move the pod to a node with a managed OS disk."
                        : $"{target.Describe()} boots from a managed OS disk, and Azure does not attach a blob-based (VHD) disk to a VM with managed disks; use kind managed, or move the pod to a node whose OS disk is a VHD.");
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
    private async Task<VmDiskOutcome> UpdateVmAsync(AzureNodeVm target, AzureVmState vm, IReadOnlyList<VmDiskRequest> pending, VmDiskRequest own, CancellationToken cancellationToken)
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
            .Where(r => r.Id == own.Id || (!contested.Contains(r.DiskId) && (r.Detach || r.Vhd == vm.UnmanagedOsDisk)))
            .ToList();

        Dictionary<string, VmDiskOutcome> answers;
        try
        {
            answers = await ApplyAsync(target, vm, batch, cancellationToken);
        }
        catch (CloudRequestException e) when (e.InnerException is RequestFailedException refusal && ArmCalls.IsDataDiskLimit(refusal) && batch.Any(r => r.Id != own.Id && !r.Detach))
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
    private async Task<Dictionary<string, VmDiskOutcome>> ApplyAsync(AzureNodeVm target, AzureVmState vm, IReadOnlyList<VmDiskRequest> batch, CancellationToken cancellationToken)
    {
        var node = target.Node.Value;
        var answers = new Dictionary<string, VmDiskOutcome>(StringComparer.Ordinal);
        var disks = vm.DataDisks.Select(AzureNodeVm.Carried).ToList();
        var toAttach = new List<VmDiskRequest>();
        var toDetach = new List<VmDiskRequest>();
        foreach (var request in batch)
        {
            var entry = vm.DataDisks.FirstOrDefault(d => IsDisk(d, request) && (request.Detach || d.ToBeDetached != true));
            if (request.Detach && entry is null)
            {
                answers[request.Id] = new VmDiskOutcome.Absent();
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
                answers[request.Id] = new VmDiskOutcome.Attached(entry.Lun);
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
                ManagedDisk = request.Vhd ? null : new VirtualMachineManagedDisk { Id = new ResourceIdentifier(request.DiskId) },
                VhdUri = request.Vhd ? new Uri(request.DiskId) : null,
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
                    answers[request.Id] = new VmDiskOutcome.Attached(entry.Lun);
                }
            }

            foreach (var request in toDetach.Where(r => !updated.DataDisks.Any(d => IsDisk(d, r))))
            {
                answers[request.Id] = new VmDiskOutcome.Detached();
            }
        }

        return answers;
    }

    /// <summary>A managed disk by its resource id (any casing), a blob disk by its VHD's URI.</summary>
    private static bool IsDisk(VirtualMachineDataDisk entry, VmDiskRequest request) => request.Vhd
        ? entry.VhdUri is { } uri && string.Equals(uri.AbsoluteUri, new Uri(request.DiskId).AbsoluteUri, StringComparison.OrdinalIgnoreCase)
        : entry.ManagedDisk?.Id is { } id && ArmCalls.SameResource(id, new ResourceIdentifier(request.DiskId));

    /// <summary>
    /// The VM update, retried a bounded number of times (with backoff) when ARM says another update of
    /// the VM got in the way: those clear by themselves in seconds. 429s are not retried here: the
    /// SDK's retry policy already honours Retry-After, and a second layer would multiply the calls.
    /// </summary>
    private Task<AzureVmState> PutVmAsync(AzureNodeVm target, AzureLocation location, IReadOnlyList<VirtualMachineDataDisk> disks, string what, CancellationToken cancellationToken) =>
        ArmCalls.Call(what, () => _retry.RunAsync(
            VmUpdateRetry,
            null,
            token => target.UpdateDataDisksAsync(location, disks, token),
            attempt => attempt.Exception is RequestFailedException e && ClearsByItself(e),
            null,
            (attempt, delay) =>
            {
                var code = ((RequestFailedException)attempt.Exception!).ErrorCode ?? "?";
                var targetName = target.Describe();
                LogVmUpdateRetry(_logger, targetName, code, attempt.Number, delay.TotalSeconds);
            },
            cancellationToken));

    /// <summary>Another update of the VM got in the way. Not a 429: compute throttling also says OperationNotAllowed, and the SDK has retried that already.</summary>
    private static bool ClearsByItself(RequestFailedException e) =>
        e.Status != 429 && !ArmCalls.IsBlobBasedVmRefusal(e) && !ArmCalls.IsDataDiskLimit(e) && e.ErrorCode is "OperationPreempted" or "OperationNotAllowed" or "AttachDiskWhileBeingDetached";

    /// <summary>Four attempts, 1 s, 2 s and 4 s apart (with jitter).</summary>
    private static readonly RetrySchedule VmUpdateRetry = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4), maxAttempts: 4, maxElapsed: null);

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
}
