namespace VolumeDriver.Domain;

/// <summary>
/// One line of doctor's report. <see cref="Detail"/> and <see cref="Fix"/> are written for people and
/// must never hold a secret: name files, keys and resources, never their secret values.
/// </summary>
/// <param name="Name">What was checked, short and stable (scripts may match on it): "configuration", "tool mkfs.xfs".</param>
/// <param name="Status">The outcome.</param>
/// <param name="Detail">What was found.</param>
/// <param name="Fix">What to do about a warning or failure; null when there is nothing to do.</param>
internal sealed record DoctorCheck(string Name, DoctorStatus Status, string Detail, string? Fix = null)
{
    public static DoctorCheck Ok(string name, string detail) => new(name, DoctorStatus.Ok, detail);

    public static DoctorCheck Warn(string name, string detail, string fix) => new(name, DoctorStatus.Warn, detail, fix);

    public static DoctorCheck Fail(string name, string detail, string fix) => new(name, DoctorStatus.Fail, detail, fix);

    public static DoctorCheck Skip(string name, string detail) => new(name, DoctorStatus.Skip, detail);

    /// <summary>The status as reports spell it: ok, warn, fail, skip.</summary>
    public static string StatusText(DoctorStatus status) => status switch
    {
        DoctorStatus.Ok => "ok",
        DoctorStatus.Warn => "warn",
        DoctorStatus.Fail => "fail",
        DoctorStatus.Skip => "skip",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "unknown doctor status"),
    };
}
