namespace VolumeDriver.Kubernetes;

/// <summary>What an informer watches and how often it hands everything over again.</summary>
internal sealed record KubernetesInformerOptions
{
    public string? LabelSelector { get; init; }

    public string? FieldSelector { get; init; }

    /// <summary>
    /// How often every cached object goes to the handler again (<see cref="InformerChangeType.Resync"/>);
    /// null for never. 15 minutes, as sig-storage-lib-external-provisioner's default.
    /// </summary>
    public TimeSpan? ResyncPeriod { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>The backoff after a failed list or watch: from 1 s doubling to 30 s.</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);
}
