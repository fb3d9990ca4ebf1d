namespace VolumeDriver.Kubernetes;

/// <summary>The query of a watch: where to start, what to see, and for how long.</summary>
internal sealed record KubernetesWatchOptions
{
    /// <summary>
    /// The version to watch from (a list's or the last event's); the stream holds every change after it.
    /// Null starts with synthetic ADDED events for everything that exists.
    /// </summary>
    public string? ResourceVersion { get; init; }

    public string? LabelSelector { get; init; }

    public string? FieldSelector { get; init; }

    /// <summary>The timeoutSeconds to ask for; null for the client's <see cref="KubernetesApiClientOptions.WatchTimeout"/>.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Ask for BOOKMARK events, which move the resourceVersion on without a change (allowWatchBookmarks).</summary>
    public bool AllowBookmarks { get; init; } = true;
}
