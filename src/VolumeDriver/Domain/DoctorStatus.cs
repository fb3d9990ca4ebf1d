namespace VolumeDriver.Domain;

/// <summary>The outcome of one doctor check. Only <see cref="Fail"/> makes doctor exit non-zero.</summary>
internal enum DoctorStatus
{
    /// <summary>The check passed.</summary>
    Ok,

    /// <summary>Works, but something deserves a look (for example an installed copy older than this one).</summary>
    Warn,

    /// <summary>The driver will not work on this node until this is fixed.</summary>
    Fail,

    /// <summary>Does not apply here (for example credentials with the loop backend).</summary>
    Skip,
}
