namespace VolumeDriver.Kubernetes.LeaderElection;

/// <summary>Why <see cref="LeaderElector.RunAsync"/> returned (a cancelled run throws instead).</summary>
internal enum LeadershipEnd
{
    /// <summary>The work returned by itself; the lease was released.</summary>
    WorkCompleted,

    /// <summary>The lease could not be renewed in time, or someone else holds it: the work was cancelled and the lease is not ours.</summary>
    LeaseLost,
}
