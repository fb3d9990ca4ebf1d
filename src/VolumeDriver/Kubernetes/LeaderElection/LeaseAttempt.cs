namespace VolumeDriver.Kubernetes.LeaderElection;

/// <summary>The outcome of one try to acquire or renew the Lease.</summary>
internal enum LeaseAttempt
{
    /// <summary>We hold it now (created, taken over, or renewed).</summary>
    Held,

    /// <summary>Someone else holds it and it has not expired.</summary>
    HeldByOther,

    /// <summary>The API could not be asked or refused the write (a lost race is a 409): try again later.</summary>
    Failed,
}
