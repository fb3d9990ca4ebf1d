using Microsoft.Extensions.Logging;
using VolumeDriver.CloudCalls;
using VolumeDriver.Kubernetes;
using VolumeDriver.Kubernetes.LeaderElection;

namespace VolumeDriver.Provisioning;

/// <summary>
/// The provisioner mode from start to exit: serve the health endpoints, reach the API server, stand
/// as a candidate for the Lease, and run the controller while leading.
/// <para>
/// A replica that loses the Lease exits with code 1 rather than standing as a candidate again, as
/// external-provisioner does (its OnStoppedLeading exits the process): the work was cancelled the
/// moment the Lease was lost, and whatever the cancelled work left in memory (informer caches, the
/// queue, claims deleted mid-provision) belongs to a leadership that is over. The Deployment
/// restarts the container, which starts clean as a candidate. SIGTERM ends it with code 0 after the
/// work stopped and the Lease was released, so a standby takes over at once.
/// </para>
/// </summary>
internal sealed partial class ProvisionerHost
{
    private readonly KubernetesApiClient _client;
    private readonly LeaderElector _elector;
    private readonly LeaderElectionOptions _lease;
    private readonly ProvisioningController _controller;
    private readonly ProvisionerHealth _health;
    private readonly HealthServer? _healthServer;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public ProvisionerHost(
        KubernetesApiClient client,
        LeaderElector elector,
        LeaderElectionOptions lease,
        ProvisioningController controller,
        ProvisionerHealth health,
        HealthServer? healthServer,
        TimeProvider timeProvider,
        ILogger logger)
    {
        _client = client;
        _elector = elector;
        _lease = lease;
        _controller = controller;
        _health = health;
        _healthServer = healthServer;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Runs until SIGTERM (0) or a lost Lease (1).</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        _healthServer?.Start();
        try
        {
            await ReachApiServerAsync(cancellationToken);
            _health.ApiServerReached();
            LogCandidate(_logger, _lease.Identity, _lease.Namespace, _lease.LeaseName);
            var end = await _elector.RunAsync(LeadAsync, cancellationToken);
            if (end == LeadershipEnd.LeaseLost)
            {
                LogLeaseLost(_logger, _lease.Namespace, _lease.LeaseName);
            }
            else
            {
                LogWorkEnded(_logger);
            }

            return 1;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            LogStopped(_logger);
            return 0;
        }
        finally
        {
            if (_healthServer is not null)
            {
                await _healthServer.DisposeAsync();
            }
        }
    }

    private async Task LeadAsync(CancellationToken cancellationToken)
    {
        _health.Leading(true);
        LogLeading(_logger, _lease.Identity);
        try
        {
            await _controller.RunAsync(cancellationToken);
        }
        finally
        {
            _health.Leading(false);
        }
    }

    /// <summary>
    /// Reads the Lease until the API server answers (backing off from 1 s to 30 s), so /readyz tells
    /// a replica that cannot reach the API server, or may not read Leases, from one that can.
    /// </summary>
    private async Task ReachApiServerAsync(CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                await _client.GetAsync(KubernetesResources.Leases, _lease.Namespace, _lease.LeaseName, cancellationToken);
                return;
            }
            catch (CloudRequestException e)
            {
                LogApiServerUnreachable(_logger, _client.Connection.Server.ToString(), e.Message, delay.TotalSeconds);
            }

            await Task.Delay(delay, _timeProvider, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Candidate {Identity} for Lease {Namespace}/{Lease}")]
    private static partial void LogCandidate(ILogger logger, string identity, string @namespace, string lease);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} leads: the controller starts")]
    private static partial void LogLeading(ILogger logger, string identity);

    [LoggerMessage(Level = LogLevel.Error, Message = "Lost Lease {Namespace}/{Lease}: the work was stopped at once; exiting so the Deployment restarts this replica as a candidate")]
    private static partial void LogLeaseLost(ILogger logger, string @namespace, string lease);

    [LoggerMessage(Level = LogLevel.Error, Message = "The controller stopped on its own; exiting")]
    private static partial void LogWorkEnded(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped by a signal; the Lease is released")]
    private static partial void LogStopped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The API server {Server} did not answer: {Problem}; trying again in {DelaySeconds} s")]
    private static partial void LogApiServerUnreachable(ILogger logger, string server, string problem, double delaySeconds);
}
