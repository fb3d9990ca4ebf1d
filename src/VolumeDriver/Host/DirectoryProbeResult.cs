namespace VolumeDriver.Host;

/// <summary>What <see cref="DirectoryProbe"/> found out about a directory the driver writes to.</summary>
/// <param name="Directory">The directory asked about.</param>
/// <param name="Exists">It exists (as a directory).</param>
/// <param name="ProbedDirectory">Where the probe ran: the directory, or its nearest existing ancestor when it does not exist yet; null when nothing on the path exists or a file is in the way.</param>
/// <param name="WriteError">Why a file could not be created there, or null when one could.</param>
/// <param name="Sparse">True when a file's unwritten range reads back as a hole, false when the filesystem allocated it, null when that could not be told.</param>
internal sealed record DirectoryProbeResult(string Directory, bool Exists, string? ProbedDirectory, string? WriteError, bool? Sparse)
{
    public bool Writable => ProbedDirectory is not null && WriteError is null;
}
