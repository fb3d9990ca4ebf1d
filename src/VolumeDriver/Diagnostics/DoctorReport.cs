using VolumeDriver.Domain;

namespace VolumeDriver.Diagnostics;

/// <summary>Every check doctor ran, in order.</summary>
internal sealed record DoctorReport(IReadOnlyList<DoctorCheck> Checks)
{
    /// <summary>True when any check failed (warnings do not count).</summary>
    public bool HasFailures => Checks.Any(c => c.Status == DoctorStatus.Fail);

    /// <summary>0 when nothing failed, 1 otherwise.</summary>
    public int ExitCode => HasFailures ? 1 : 0;

    public int Count(DoctorStatus status) => Checks.Count(c => c.Status == status);

    /// <summary>"12 ok, 1 warning, 0 failed, 4 skipped".</summary>
    public string Summary() =>
        $"{Count(DoctorStatus.Ok)} ok, {Count(DoctorStatus.Warn)} warning(s), {Count(DoctorStatus.Fail)} failed, {Count(DoctorStatus.Skip)} skipped";
}
