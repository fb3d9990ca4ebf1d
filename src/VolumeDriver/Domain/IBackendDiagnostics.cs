namespace VolumeDriver.Domain;

/// <summary>
/// The checks one backend adds to doctor: its credentials yield a token or session, one cheap read
/// reaches the cloud, this node's VM is found under the node name, and whatever local state it keeps.
/// A backend without some of these reports them as <see cref="DoctorStatus.Skip"/> with the reason,
/// so every report lists the same checks whatever the backend.
/// </summary>
internal interface IBackendDiagnostics
{
    /// <summary>Runs the backend's checks. Never throws for a failed check: it becomes a Fail line.</summary>
    Task<IReadOnlyList<DoctorCheck>> CheckAsync(CancellationToken cancellationToken);
}
