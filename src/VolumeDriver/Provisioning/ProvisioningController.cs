using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using VolumeDriver.Backends;
using VolumeDriver.CloudCalls;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.Kubernetes;
using VolumeDriver.Kubernetes.Models;
using VolumeDriver.Modules;

namespace VolumeDriver.Provisioning;

/// <summary>
/// The provisioner's control loop, level-triggered as the external-provisioner library's: informers
/// keep claims, volumes and classes in memory and put the key of whatever changed (and, at every
/// resync, of everything) on a <see cref="WorkQueue"/>; workers look at the object as it is now and
/// do what it needs. A claim of ours without a volume gets a disk named pvc-&lt;uid&gt; and a PV
/// (if that PV exists already, it was done before a crash); a released PV of ours with reclaim
/// policy Delete loses its disk, then the PV. Failures come back with a per-key backoff. The backend
/// is reached only through its module: the planner's profile and the <see cref="ICloudDisk"/>.
/// </summary>
internal sealed partial class ProvisioningController
{
    private const string ClaimPrefix = "claim:";
    private const string VolumePrefix = "volume:";

    private readonly KubernetesApiClient _client;
    private readonly ICloudDisk _disk;
    private readonly VolumePlanner _planner;
    private readonly EventRecorder _events;
    private readonly string _driver;
    private readonly ProvisionerHealth _health;
    private readonly int _workers;
    private readonly KubernetesInformerOptions _informerOptions;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, ProvisioningClaim> _deletedClaims = new(StringComparer.Ordinal);
    private KubernetesInformer<PersistentVolumeClaim>? _claims;
    private KubernetesInformer<PersistentVolume>? _volumes;
    private KubernetesInformer<StorageClass>? _classes;
    private WorkQueue? _queue;

    public ProvisioningController(
        KubernetesApiClient client,
        ICloudDisk disk,
        VolumePlanner planner,
        EventRecorder events,
        FlexDriverName driver,
        ProvisionerHealth health,
        int workers,
        KubernetesInformerOptions informerOptions,
        TimeProvider timeProvider,
        ILogger logger)
    {
        _client = client;
        _disk = disk;
        _planner = planner;
        _events = events;
        _driver = driver.QualifiedName;
        _health = health;
        _workers = workers;
        _informerOptions = informerOptions;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>
    /// Lists and watches, then works until <paramref name="cancellationToken"/> is cancelled (SIGTERM,
    /// or the lease lost); then every request in flight is cancelled and it returns. Whatever was left
    /// undone is found again by the next leader's first list.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var queue = new WorkQueue(_timeProvider);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _queue = queue;
        _claims = new KubernetesInformer<PersistentVolumeClaim>(_client, KubernetesResources.PersistentVolumeClaims, null, _informerOptions, OnClaimAsync, _timeProvider, _logger);
        _volumes = new KubernetesInformer<PersistentVolume>(_client, KubernetesResources.PersistentVolumes, null, _informerOptions, OnVolumeAsync, _timeProvider, _logger);
        _classes = new KubernetesInformer<StorageClass>(_client, KubernetesResources.StorageClasses, null, _informerOptions, OnClassAsync, _timeProvider, _logger);
        var informers = new[] { _claims.RunAsync(stop.Token), _volumes.RunAsync(stop.Token), _classes.RunAsync(stop.Token) };
        var working = Task.CompletedTask;
        try
        {
            var synced = Task.WhenAll(_claims.WaitForSyncAsync(stop.Token), _volumes.WaitForSyncAsync(stop.Token), _classes.WaitForSyncAsync(stop.Token));
            if (await Task.WhenAny(synced, Task.WhenAny(informers)) == synced)
            {
                await synced;
                _health.Synced();
                var (claimCount, volumeCount, classCount) = (_claims.List().Count, _volumes.List().Count, _classes.List().Count);
                LogSynced(_logger, claimCount, volumeCount, classCount, _workers);
                working = queue.RunAsync(_workers, WorkAsync, stop.Token);
            }

            // An informer ends only when cancelled or when its handler failed, which ours never do.
            await Task.WhenAny(Task.WhenAny(informers), working);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll([.. informers, working]).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _queue = null;
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    private Task OnClaimAsync(InformerChange<PersistentVolumeClaim> change, CancellationToken cancellationToken)
    {
        var claim = ProvisioningViews.Claim(change.Object);
        if (change.Type == InformerChangeType.Deleted && string.IsNullOrEmpty(claim.VolumeName) && ClassOf(claim)?.Provisioner == _driver)
        {
            // The disk of an attempt that never got its PV is deleted with the claim (the library's claimsInProgress).
            _deletedClaims[ClaimKey(claim.Namespace, claim.Name)] = claim;
        }

        _queue?.Add(ClaimKey(claim.Namespace, claim.Name));
        return Task.CompletedTask;
    }

    private Task OnVolumeAsync(InformerChange<PersistentVolume> change, CancellationToken cancellationToken)
    {
        if (change.Type != InformerChangeType.Deleted && change.Object.Metadata?.Name is { } name)
        {
            _queue?.Add(VolumePrefix + name);
        }

        return Task.CompletedTask;
    }

    /// <summary>A class that appears or changes may make waiting claims ours.</summary>
    private Task OnClassAsync(InformerChange<StorageClass> change, CancellationToken cancellationToken)
    {
        if (change.Type is InformerChangeType.Added or InformerChangeType.Updated && _claims is { } claims)
        {
            foreach (var claim in claims.List())
            {
                if (claim.Spec?.StorageClassName == change.Object.Metadata?.Name && claim.Metadata is { Name: { } name } metadata)
                {
                    _queue?.Add(ClaimKey(metadata.Namespace ?? "", name));
                }
            }
        }

        return Task.CompletedTask;
    }

    private async Task WorkAsync(string key, CancellationToken cancellationToken)
    {
        bool done;
        try
        {
            done = key.StartsWith(ClaimPrefix, StringComparison.Ordinal)
                ? await ProvisionAsync(key[ClaimPrefix.Length..], cancellationToken)
                : await DeleteAsync(key[VolumePrefix.Length..], cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            // The one place a failure of the work ends: it is logged, and the key comes back later.
            LogWorkFailed(_logger, e, key);
            done = false;
        }

        if (done)
        {
            _queue!.Forget(key);
        }
        else
        {
            var delay = _queue!.Retry(key);
            LogRetrying(_logger, key, delay.TotalSeconds);
        }
    }

    /// <summary>Provisions the claim if it is ours and has no volume yet; false: try again later.</summary>
    private async Task<bool> ProvisionAsync(string namespacedName, CancellationToken cancellationToken)
    {
        var slash = namespacedName.IndexOf('/', StringComparison.Ordinal);
        var stored = _claims!.Get(namespacedName[..slash], namespacedName[(slash + 1)..]);
        if (stored is null)
        {
            return !_deletedClaims.TryGetValue(ClaimKey(namespacedName[..slash], namespacedName[(slash + 1)..]), out var deleted)
                || await ForgetDeletedClaimAsync(deleted, cancellationToken);
        }

        var claim = ProvisioningViews.Claim(stored);
        var storageClass = ClassOf(claim);
        switch (ClaimTriage.Decide(claim, storageClass, _driver))
        {
            case ClaimAction.Ignore:
                return true;
            case ClaimAction.WaitForNode:
                var waiting = claim.Describe();
                LogWaitingForNode(_logger, waiting, storageClass!.Name);
                return true;
        }

        var existing = await _client.GetAsync(KubernetesResources.PersistentVolumes, null, claim.VolumeNameToProvision, cancellationToken);
        if (existing is not null)
        {
            // Done before (the PV controller has not bound it yet, or our cache is behind): one PV per claim, ever.
            return true;
        }

        var reference = ProvisioningViews.Reference(claim);
        await _events.RecordAsync(reference, ProvisioningNames.EventNormal, ProvisioningNames.ReasonProvisioning, $"External provisioner is provisioning volume for claim \"{claim.Describe()}\"", cancellationToken);
        VolumePlan plan;
        try
        {
            plan = _planner.Plan(claim, storageClass!, await SelectedNodeAsync(claim, cancellationToken));
        }
        catch (VolumeDriverException e)
        {
            // Nothing was created. Only a change of the claim or its class (which the informers bring) can fix it.
            await FailedAsync(reference, claim, e.Message, cancellationToken);
            return true;
        }

        var started = _timeProvider.GetTimestamp();
        DiskInfo disk;
        try
        {
            disk = await _disk.ProvisionAsync(plan.Disk, cancellationToken);
        }
        catch (VolumeDriverException e)
        {
            await FailedAsync(reference, claim, e.Message, cancellationToken);
            return false;
        }

        var capacity = disk.Size.Bytes > plan.Capacity.Bytes ? disk.Size : plan.Capacity;
        var volume = PersistentVolumeFactory.Create(plan, capacity);
        try
        {
            await _client.CreateAsync(KubernetesResources.PersistentVolumes, volume, cancellationToken);
        }
        catch (CloudRequestException e) when (e.IsAlreadyExists())
        {
            var found = await _client.GetAsync(KubernetesResources.PersistentVolumes, null, plan.PvName, cancellationToken);
            if (found?.Spec?.ClaimRef?.Uid != claim.Uid)
            {
                await FailedAsync(reference, claim, $"PV {plan.PvName} exists and is not this claim's; delete it or the claim", cancellationToken);
                return false;
            }
        }
        catch (CloudRequestException e)
        {
            // The disk stays: the next pass finds it by its name and creates the PV.
            await FailedAsync(reference, claim, $"Error creating provisioned PV object for claim {claim.Describe()}: {e.Message}", cancellationToken);
            return false;
        }

        var elapsedMs = _timeProvider.GetElapsedTime(started).TotalMilliseconds;
        var described = claim.Describe();
        var capacityText = capacity.ToString();
        LogProvisioned(_logger, described, plan.PvName, capacityText, disk.Created, elapsedMs);
        await _events.RecordAsync(reference, ProvisioningNames.EventNormal, ProvisioningNames.ReasonProvisioningSucceeded, $"Successfully provisioned volume {plan.PvName}", cancellationToken);
        return true;
    }

    /// <summary>A claim deleted before its PV was made: its disk, if an attempt created one, goes too.</summary>
    private async Task<bool> ForgetDeletedClaimAsync(ProvisioningClaim claim, CancellationToken cancellationToken)
    {
        var name = claim.VolumeNameToProvision;
        if (await _client.GetAsync(KubernetesResources.PersistentVolumes, null, name, cancellationToken) is null
            && VolumeName.TryCreate(name, out var volume, out _))
        {
            try
            {
                await _disk.DeleteAsync(volume.Value, cancellationToken);
            }
            catch (VolumeDriverException e)
            {
                var described = claim.Describe();
                LogCleanupFailed(_logger, described, name, e.Message);
                return false;
            }
        }

        _deletedClaims.TryRemove(ClaimKey(claim.Namespace, claim.Name), out _);
        return true;
    }

    /// <summary>Deletes the disk and then the PV of a released volume of ours with reclaim policy Delete; false: try again later.</summary>
    private async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        var volume = _volumes!.Get(null, name);
        if (volume is null
            || !ClaimTriage.ShouldDelete(
                volume.Metadata?.Annotations ?? new Dictionary<string, string>(),
                volume.Status?.Phase,
                volume.Spec?.PersistentVolumeReclaimPolicy,
                volume.Metadata?.DeletionTimestamp is not null,
                _driver))
        {
            return true;
        }

        if (!VolumeName.TryCreate(name, out var volumeName, out var problem))
        {
            LogNotAVolumeName(_logger, name, problem);
            return true;
        }

        try
        {
            // Never forced: a disk still attached is refused by the backend, and this comes back later.
            await _disk.DeleteAsync(volumeName.Value, cancellationToken);
        }
        catch (VolumeDriverException e)
        {
            await _events.RecordAsync(ProvisioningViews.Reference(volume), ProvisioningNames.EventWarning, ProvisioningNames.ReasonVolumeFailedDelete, e.Message, cancellationToken);
            return false;
        }

        // The uid precondition: a PV of the same name created since (a new claim's) is not ours to delete.
        await _client.DeleteAsync(KubernetesResources.PersistentVolumes, null, name, new Preconditions { Uid = volume.Metadata?.Uid }, cancellationToken);
        LogDeleted(_logger, name);
        return true;
    }

    private async Task<SelectedNode?> SelectedNodeAsync(ProvisioningClaim claim, CancellationToken cancellationToken)
    {
        if (claim.Annotations.GetValueOrDefault(ProvisioningNames.SelectedNode) is not { Length: > 0 } nodeName)
        {
            return null;
        }

        var node = await _client.GetAsync(KubernetesResources.Nodes, null, nodeName, cancellationToken)
            ?? throw new ProvisioningRefusedException($"claim {claim.Describe()} was scheduled to node {nodeName}, which does not exist (any more); the scheduler picks another once it is gone");
        return new SelectedNode(nodeName, node.Metadata?.Labels ?? new Dictionary<string, string>());
    }

    private async Task FailedAsync(ObjectReference reference, ProvisioningClaim claim, string message, CancellationToken cancellationToken)
    {
        var described = claim.Describe();
        LogProvisioningFailed(_logger, described, message);
        await _events.RecordAsync(reference, ProvisioningNames.EventWarning, ProvisioningNames.ReasonProvisioningFailed, message, cancellationToken);
    }

    private ProvisioningClass? ClassOf(ProvisioningClaim claim) =>
        claim.StorageClassName is { Length: > 0 } name && _classes?.Get(null, name) is { } storageClass ? ProvisioningViews.Class(storageClass) : null;

    private static string ClaimKey(string ns, string name) => ClaimPrefix + ns + "/" + name;

    [LoggerMessage(Level = LogLevel.Information, Message = "Informers synced ({Claims} claims, {Volumes} volumes, {Classes} classes); {Workers} workers start")]
    private static partial void LogSynced(ILogger logger, int claims, int volumes, int classes, int workers);

    [LoggerMessage(Level = LogLevel.Information, Message = "Provisioned claim {Claim} as {Volume} ({Capacity}, disk created now: {Created}) in {DurationMs} ms")]
    private static partial void LogProvisioned(ILogger logger, string claim, string volume, string capacity, bool created, double durationMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Provisioning claim {Claim} failed: {Problem}")]
    private static partial void LogProvisioningFailed(ILogger logger, string claim, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Claim {Claim} waits for the scheduler to pick a node (class {Class} is WaitForFirstConsumer)")]
    private static partial void LogWaitingForNode(ILogger logger, string claim, string @class);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted the disk and the PV of released volume {Volume}")]
    private static partial void LogDeleted(ILogger logger, string volume);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The disk {Volume} of deleted claim {Claim} could not be deleted: {Problem}")]
    private static partial void LogCleanupFailed(ILogger logger, string claim, string volume, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PV {Volume} is not a volume name this driver can address ({Problem}); left alone")]
    private static partial void LogNotAVolumeName(ILogger logger, string volume, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "Work on {Key} failed")]
    private static partial void LogWorkFailed(ILogger logger, Exception exception, string key);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Key} comes back in {DelaySeconds} s")]
    private static partial void LogRetrying(ILogger logger, string key, double delaySeconds);
}
