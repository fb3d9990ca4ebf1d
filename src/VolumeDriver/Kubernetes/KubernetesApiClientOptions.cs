namespace VolumeDriver.Kubernetes;

/// <summary>
/// How <see cref="KubernetesApiClient"/> calls the API server: per-call deadline, user agent,
/// retries (for 429, and for 5xx or connection failures where a repeat cannot apply a change twice),
/// list page size and the watch length. Validated once by <see cref="Validate"/> when the client is built.
/// </summary>
internal sealed record KubernetesApiClientOptions
{
    /// <summary>Each call's deadline (one attempt): 30 s, client-go's default for kubectl is no longer.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a TCP connect may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Sent as User-Agent, which the API server's audit log and its priority-and-fairness keep.</summary>
    public string UserAgent { get; init; } = "volume-driver/0.1.0";

    /// <summary>Attempts per call, the first included; 1 switches retries off.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>The first backoff (it doubles, with jitter), when the server gave no Retry-After.</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>No wait between attempts is longer, a Retry-After included.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How many items a list asks for per page (limit); the rest follows with continue.</summary>
    public int ListPageSize { get; init; } = 500;

    /// <summary>The timeoutSeconds a watch asks for; the server ends the stream then and the caller watches again.</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    public KubernetesApiClientOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RequestTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ConnectTimeout, TimeSpan.Zero);
        ArgumentException.ThrowIfNullOrWhiteSpace(UserAgent);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAttempts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(FirstRetryDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRetryDelay, FirstRetryDelay);
        ArgumentOutOfRangeException.ThrowIfLessThan(ListPageSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(WatchTimeout, TimeSpan.FromSeconds(1));
        return this;
    }
}
