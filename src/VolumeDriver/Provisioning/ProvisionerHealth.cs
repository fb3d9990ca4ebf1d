namespace VolumeDriver.Provisioning;

/// <summary>
/// What /readyz reports. A replica is ready once it has reached the API server (its first Lease
/// request was answered) and, while it leads, once its informers have listed everything. A standby
/// replica is ready too: readiness gates a Deployment's rollout, and a standby that never became
/// ready would stall every rolling update of a two-replica Deployment (external-provisioner keeps
/// leadership out of readiness too, and exposes it as a separate health check).
/// </summary>
internal sealed class ProvisionerHealth
{
    private volatile bool _reachedApiServer;
    private volatile bool _leading;
    private volatile bool _synced;

    public void ApiServerReached() => _reachedApiServer = true;

    public void Leading(bool leading)
    {
        _leading = leading;
        if (!leading)
        {
            _synced = false;
        }
    }

    public void Synced() => _synced = true;

    public bool IsLeading => _leading;

    /// <summary>Null when ready, else why not (the body of the 503).</summary>
    public string? NotReadyBecause() =>
        !_reachedApiServer ? "the API server has not answered yet"
        : _leading && !_synced ? "leading, and the informers have not listed claims, volumes and classes yet"
        : null;
}
