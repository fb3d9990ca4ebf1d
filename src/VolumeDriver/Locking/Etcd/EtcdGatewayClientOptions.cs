using VolumeDriver.CloudCalls;
using VolumeDriver.Configuration;

namespace VolumeDriver.Locking.Etcd;

/// <summary>
/// Where and how <see cref="EtcdGatewayClient"/> reaches etcd's JSON gateway: the endpoints (replicas,
/// tried in order), the gateway's API version (the path prefix, v3), each request's deadline, and the
/// retry knob: how the next endpoint is tried when one cannot be reached (at once, each endpoint once
/// per request). Who logs in and the TLS files stay in the <see cref="EtcdConfiguration"/>.
/// </summary>
internal sealed record EtcdGatewayClientOptions
{
    public const string DefaultApiVersion = "v3";

    public EtcdGatewayClientOptions(IReadOnlyList<Uri> endpoints)
    {
        ArgumentOutOfRangeException.ThrowIfZero(endpoints.Count);
        Endpoints = endpoints;
        Failover = new RetrySchedule(TimeSpan.Zero, TimeSpan.Zero, maxAttempts: endpoints.Count, maxElapsed: null);
    }

    public IReadOnlyList<Uri> Endpoints { get; }

    /// <summary>The gateway's version, the first segment of every path (/v3/lease/grant); etcd 3.4 and later serve v3.</summary>
    public string ApiVersion { get; init; } = DefaultApiVersion;

    /// <summary>Each request's deadline (the lock's wait has the caller's instead); also the connect timeout.</summary>
    public TimeSpan RequestTimeout { get; init; } = EtcdConfiguration.DefaultRequestTimeout;

    /// <summary>Moving on to the next endpoint: at once, since they are replicas rather than a busy service, each once per request.</summary>
    public RetrySchedule Failover { get; init; }

    /// <summary>The options the configuration asks for.</summary>
    public static EtcdGatewayClientOptions From(EtcdConfiguration configuration) =>
        new(configuration.Endpoints) { RequestTimeout = configuration.RequestTimeout };
}
