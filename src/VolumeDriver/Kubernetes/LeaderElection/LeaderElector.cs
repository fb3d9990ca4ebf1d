using Microsoft.Extensions.Logging;
using VolumeDriver.CloudCalls;
using VolumeDriver.Kubernetes.Models;

namespace VolumeDriver.Kubernetes.LeaderElection;

/// <summary>
/// Leader election over a coordination.k8s.io/v1 Lease, as client-go's leaderelection package does it,
/// so that of several replicas exactly one works at a time:
/// <list type="bullet">
/// <item>A candidate takes the Lease when it is absent (create), released (no holder), ours, or expired;
/// every write carries the resourceVersion read, so of two candidates racing one gets 409 and loses.</item>
/// <item>Expired means: the Lease has not changed for its leaseDurationSeconds as measured on our own
/// clock since we first saw this version of it (client-go's observedTime), not the holder's renewTime
/// against our wall clock, which clock skew between nodes would make unsafe.</item>
/// <item>Taking it from someone else sets acquireTime and adds one to leaseTransitions; renewing keeps them.</item>
/// <item>The leader renews every <see cref="LeaderElectionOptions.RetryPeriod"/>. When it has not renewed
/// within <see cref="LeaderElectionOptions.RenewDeadline"/>, or sees another holder, the work's token is
/// cancelled at once: losing the lease stops work, before anyone may take over (the renew deadline is
/// shorter than the lease duration).</item>
/// <item>On a clean end (the work returned, or the caller cancelled) it waits for the work to stop and then
/// releases the Lease (empty holder, duration 1 s), so a successor need not wait out the duration.</item>
/// </list>
/// All timing runs on the injected <see cref="TimeProvider"/>.
/// </summary>
internal sealed partial class LeaderElector
{
    private readonly KubernetesApiClient _client;
    private readonly LeaderElectionOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    // The version of the Lease we last saw, and when (on our clock) we first saw it.
    private string? _observedVersion;
    private long _observedAt;

    public LeaderElector(KubernetesApiClient client, LeaderElectionOptions options, TimeProvider timeProvider, ILogger logger)
    {
        _client = client;
        _options = options.Validate();
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Whether we hold the Lease and our work runs.</summary>
    public bool IsLeader { get; private set; }

    /// <summary>
    /// Waits until this replica holds the Lease, then runs <paramref name="whileLeading"/> while renewing
    /// it. Returns <see cref="LeadershipEnd.LeaseLost"/> once the lease was lost (the work's token was
    /// cancelled and the work has stopped) or <see cref="LeadershipEnd.WorkCompleted"/> when the work
    /// returned (the lease is released). When <paramref name="cancellationToken"/> is cancelled the work
    /// is cancelled too, the lease released after it stopped, and an OperationCanceledException thrown.
    /// An exception from the work releases the lease and propagates.
    /// </summary>
    public async Task<LeadershipEnd> RunAsync(Func<CancellationToken, Task> whileLeading, CancellationToken cancellationToken)
    {
        while (await TryAcquireOrRenewAsync(cancellationToken) != LeaseAttempt.Held)
        {
            await Task.Delay(_options.RetryPeriod, _timeProvider, cancellationToken);
        }

        IsLeader = true;
        LogAcquired(_logger, _options.Identity, _options.Namespace, _options.LeaseName);
        using var leading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var renewing = new CancellationTokenSource();
        var work = Task.Run(() => whileLeading(leading.Token), CancellationToken.None);
        var renew = KeepRenewingAsync(renewing.Token);
        if (await Task.WhenAny(work, renew) == renew)
        {
            await leading.CancelAsync();
            IsLeader = false;
            LogLost(_logger, _options.Identity, _options.Namespace, _options.LeaseName);
            await StoppedAsync(work, leading.Token);
            await renew;
            return LeadershipEnd.LeaseLost;
        }

        // The work ended (by itself, failing, or because the caller cancelled): only now may another replica start.
        await renewing.CancelAsync();
        try
        {
            await renew;
        }
        catch (OperationCanceledException) when (renewing.IsCancellationRequested)
        {
            // Renewing stops with the work.
        }

        IsLeader = false;
        await ReleaseAsync();
        await work;
        cancellationToken.ThrowIfCancellationRequested();
        return LeadershipEnd.WorkCompleted;
    }

    /// <summary>One try to acquire or renew the Lease (client-go's tryAcquireOrRenew).</summary>
    internal async Task<LeaseAttempt> TryAcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        var durationSeconds = (int)Math.Ceiling(_options.LeaseDuration.TotalSeconds);
        try
        {
            var lease = await _client.GetAsync(KubernetesResources.Leases, _options.Namespace, _options.LeaseName, cancellationToken);
            if (lease is null)
            {
                var created = await _client.CreateAsync(KubernetesResources.Leases, new Lease
                {
                    Metadata = new ObjectMeta { Name = _options.LeaseName, Namespace = _options.Namespace },
                    Spec = new LeaseSpec { HolderIdentity = _options.Identity, LeaseDurationSeconds = durationSeconds, AcquireTime = now, RenewTime = now, LeaseTransitions = 0 },
                }, cancellationToken);
                Observe(created);
                return LeaseAttempt.Held;
            }

            Observe(lease);
            var spec = lease.Spec ?? new LeaseSpec();
            var ours = spec.HolderIdentity == _options.Identity;
            var held = !string.IsNullOrEmpty(spec.HolderIdentity);
            var duration = spec.LeaseDurationSeconds is > 0 and var seconds ? TimeSpan.FromSeconds(seconds) : _options.LeaseDuration;
            if (held && !ours && _timeProvider.GetElapsedTime(_observedAt) < duration)
            {
                return LeaseAttempt.HeldByOther;
            }

            var renewed = ours
                ? spec with { LeaseDurationSeconds = durationSeconds, RenewTime = now, AcquireTime = spec.AcquireTime ?? now, LeaseTransitions = spec.LeaseTransitions ?? 0 }
                : spec with { HolderIdentity = _options.Identity, LeaseDurationSeconds = durationSeconds, AcquireTime = now, RenewTime = now, LeaseTransitions = (spec.LeaseTransitions ?? 0) + 1 };
            var written = await _client.ReplaceAsync(KubernetesResources.Leases, lease with { Spec = renewed }, cancellationToken);
            Observe(written);
            if (!ours)
            {
                LogTakenOver(_logger, _options.Identity, spec.HolderIdentity ?? "nobody", renewed.LeaseTransitions ?? 0);
            }

            return LeaseAttempt.Held;
        }
        catch (CloudRequestException e)
        {
            // A 409 (AlreadyExists on create, Conflict on replace) is a race another candidate won.
            LogAttemptFailed(_logger, _options.Namespace, _options.LeaseName, e.Message);
            return LeaseAttempt.Failed;
        }
    }

    /// <summary>Renews every retry period; returns when the lease is lost (not renewed within the renew deadline, or held by another).</summary>
    private async Task KeepRenewingAsync(CancellationToken cancellationToken)
    {
        var renewedAt = _timeProvider.GetTimestamp();
        while (true)
        {
            await Task.Delay(_options.RetryPeriod, _timeProvider, cancellationToken);
            var left = _options.RenewDeadline - _timeProvider.GetElapsedTime(renewedAt);
            var attempt = LeaseAttempt.Failed;
            if (left > TimeSpan.Zero)
            {
                // A call that hangs must not carry us past the deadline.
                using var deadline = new CancellationTokenSource(left, _timeProvider);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
                try
                {
                    attempt = await TryAcquireOrRenewAsync(linked.Token);
                }
                catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    attempt = LeaseAttempt.Failed;
                }
            }

            switch (attempt)
            {
                case LeaseAttempt.Held:
                    renewedAt = _timeProvider.GetTimestamp();
                    break;
                case LeaseAttempt.HeldByOther:
                    return;
                case LeaseAttempt.Failed when _timeProvider.GetElapsedTime(renewedAt) >= _options.RenewDeadline:
                    return;
            }
        }
    }

    /// <summary>Gives the Lease up, if it is still ours: an empty holder and a 1 s duration. Best effort: it expires anyway.</summary>
    private async Task ReleaseAsync()
    {
        try
        {
            // Not the caller's token: it is cancelled when we get here on shutdown. The client's own deadline bounds each call.
            var lease = await _client.GetAsync(KubernetesResources.Leases, _options.Namespace, _options.LeaseName, CancellationToken.None);
            if (lease?.Spec is not { } spec || spec.HolderIdentity != _options.Identity)
            {
                return;
            }

            var now = _timeProvider.GetUtcNow();
            await _client.ReplaceAsync(KubernetesResources.Leases, lease with { Spec = spec with { HolderIdentity = "", LeaseDurationSeconds = 1, AcquireTime = now, RenewTime = now } }, CancellationToken.None);
            LogReleased(_logger, _options.Identity, _options.Namespace, _options.LeaseName);
        }
        catch (CloudRequestException e)
        {
            LogAttemptFailed(_logger, _options.Namespace, _options.LeaseName, e.Message);
        }
    }

    /// <summary>Waits for the cancelled work to stop; its cancellation is expected, any other failure propagates.</summary>
    private static async Task StoppedAsync(Task work, CancellationToken cancelled)
    {
        try
        {
            await work;
        }
        catch (OperationCanceledException) when (cancelled.IsCancellationRequested)
        {
            // The work obeyed the token.
        }
    }

    private void Observe(Lease lease)
    {
        var version = lease.Metadata?.ResourceVersion;
        if (version is null || version != _observedVersion)
        {
            _observedVersion = version;
            _observedAt = _timeProvider.GetTimestamp();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} now leads (Lease {Namespace}/{Lease})")]
    private static partial void LogAcquired(ILogger logger, string identity, string @namespace, string lease);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} took the lease over from {Previous} (transition {Transitions})")]
    private static partial void LogTakenOver(ILogger logger, string identity, string previous, int transitions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Identity} lost the lease {Namespace}/{Lease}: the work was stopped")]
    private static partial void LogLost(ILogger logger, string identity, string @namespace, string lease);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} released the lease {Namespace}/{Lease}")]
    private static partial void LogReleased(ILogger logger, string identity, string @namespace, string lease);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Acquiring or renewing the lease {Namespace}/{Lease} failed: {Reason}")]
    private static partial void LogAttemptFailed(ILogger logger, string @namespace, string lease, string reason);
}
