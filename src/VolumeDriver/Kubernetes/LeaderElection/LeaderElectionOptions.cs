namespace VolumeDriver.Kubernetes.LeaderElection;

/// <summary>
/// Which Lease to hold, as whom, and the timing of client-go's leader election (and
/// sig-storage-lib-external-provisioner's defaults: 15 s, 10 s, 2 s). Safety rests on
/// <see cref="RenewDeadline"/> &lt; <see cref="LeaseDuration"/>: a leader that cannot renew stops
/// working before anyone else may take the lease over.
/// </summary>
internal sealed record LeaderElectionOptions
{
    public required string Namespace { get; init; }

    /// <summary>The Lease's name; the provisioner uses its driver name with '/' replaced by '-'.</summary>
    public required string LeaseName { get; init; }

    /// <summary>Who we are, unique per replica (hostname and a random id).</summary>
    public required string Identity { get; init; }

    /// <summary>How long others wait, after they last saw the lease change, before they take it over.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the leader keeps trying to renew before it stops leading.</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a candidate tries to acquire, and the leader to renew.</summary>
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    public LeaderElectionOptions Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Namespace);
        ArgumentException.ThrowIfNullOrWhiteSpace(LeaseName);
        ArgumentException.ThrowIfNullOrWhiteSpace(Identity);
        ArgumentOutOfRangeException.ThrowIfLessThan(LeaseDuration, TimeSpan.FromSeconds(1));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RetryPeriod, TimeSpan.Zero);
        if (RenewDeadline >= LeaseDuration)
        {
            throw new ArgumentException($"the renew deadline ({RenewDeadline.TotalSeconds} s) must be shorter than the lease duration ({LeaseDuration.TotalSeconds} s), or two replicas could lead at once");
        }

        if (RetryPeriod >= RenewDeadline)
        {
            throw new ArgumentException($"the retry period ({RetryPeriod.TotalSeconds} s) must be shorter than the renew deadline ({RenewDeadline.TotalSeconds} s), or a renewal gets no second try");
        }

        return this;
    }
}
