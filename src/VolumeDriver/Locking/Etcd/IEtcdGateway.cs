namespace VolumeDriver.Locking.Etcd;

/// <summary>
/// The few etcd v3 calls the lock needs. <see cref="EtcdGatewayClient"/> fills it over etcd's v3 JSON
/// gateway, plain HTTP with no gRPC stack in the image. A gRPC client (dotnet-etcd, now on the
/// registry) could fill it instead, if a measurement ever shows the gateway costs a node too much.
/// </summary>
internal interface IEtcdGateway
{
    /// <summary>Grants a lease; returns its id.</summary>
    Task<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Refreshes a lease once; returns its remaining TTL, or null when the lease is gone (expired or revoked).</summary>
    Task<TimeSpan?> KeepAliveAsync(long leaseId, CancellationToken cancellationToken);

    /// <summary>Revokes a lease (and so releases every lock held with it). A lease already gone is fine.</summary>
    Task RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken);

    /// <summary>Waits for the named lock under the lease, until cancelled; returns the lock's key (base64).</summary>
    Task<string> LockAsync(string name, long leaseId, CancellationToken cancellationToken);

    /// <summary>Releases a lock by its key (base64).</summary>
    Task UnlockAsync(string key, CancellationToken cancellationToken);
}
