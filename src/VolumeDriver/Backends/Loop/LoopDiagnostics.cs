using VolumeDriver.Configuration;
using VolumeDriver.Domain;
using VolumeDriver.Host;

namespace VolumeDriver.Backends.Loop;

/// <summary>
/// The loop backend's doctor checks: its image directory can hold sparse files and the kernel offers
/// loop devices. It has no credentials, cloud API or VM, so those checks are skipped with the reason.
/// </summary>
internal sealed class LoopDiagnostics : IBackendDiagnostics
{
    public const string NoCredentials = "the loop backend has no credentials";

    private readonly LoopConfiguration _configuration;
    private readonly HostRoot _host;

    public LoopDiagnostics(LoopConfiguration configuration, HostRoot host)
    {
        _configuration = configuration;
        _host = host;
    }

    public Task<IReadOnlyList<DoctorCheck>> CheckAsync(CancellationToken cancellationToken)
    {
        var directory = DirectoryProbe.Probe(_configuration.Directory);
        IReadOnlyList<DoctorCheck> checks =
        [
            DoctorCheck.Skip("credentials", NoCredentials),
            DoctorCheck.Skip("cloud API", NoCredentials + " and no cloud API to reach"),
            DoctorCheck.Skip("node VM", NoCredentials + "; its disks attach only to the machine it runs on"),
            DirectoryCheck(directory),
            SparseCheck(directory),
            OvercommitCheck(directory),
            DoctorCheck.Ok("volume names", FormattableString.Invariant($"the loop backend takes volume names of at most {LoopDiskBackend.MaxNameLength} characters (letters, digits, '.', '_', '-')")),
            LoopControlCheck(),
        ];
        return Task.FromResult(checks);
    }

    private static DoctorCheck DirectoryCheck(DirectoryProbeResult probe)
    {
        const string Name = "loop directory";
        var fix = $"make {probe.Directory} a writable directory, or set {ConfigurationKeys.LoopDirectory} in the configuration to one";
        if (!probe.Writable)
        {
            return DoctorCheck.Fail(Name, $"{probe.Directory} cannot hold disk images: {probe.WriteError}", fix);
        }

        return probe.Exists
            ? DoctorCheck.Ok(Name, $"{probe.Directory} exists and is writable")
            : DoctorCheck.Ok(Name, $"{probe.Directory} does not exist yet; the first attach creates it in {probe.ProbedDirectory}, which is writable");
    }

    private static DoctorCheck SparseCheck(DirectoryProbeResult probe)
    {
        const string Name = "sparse files";
        return probe.Sparse switch
        {
            _ when !probe.Writable => DoctorCheck.Skip(Name, $"{probe.Directory} is not writable, so it could not be tried"),
            true => DoctorCheck.Ok(Name, $"the filesystem of {probe.ProbedDirectory} keeps disk images sparse"),
            false => DoctorCheck.Warn(
                Name,
                $"the filesystem of {probe.ProbedDirectory} allocates files in full: every disk image takes its whole size on the host",
                $"put {ConfigurationKeys.LoopDirectory} on ext4, xfs, btrfs or tmpfs"),
            null => DoctorCheck.Warn(
                Name,
                $"could not tell whether the filesystem of {probe.ProbedDirectory} supports sparse files (it does not answer lseek SEEK_DATA)",
                $"put {ConfigurationKeys.LoopDirectory} on ext4, xfs, btrfs or tmpfs"),
        };
    }

    /// <summary>Shows the overcommit ratio in force and what it allows now, so an operator sees the limit before a PV hits it.</summary>
    private DoctorCheck OvercommitCheck(DirectoryProbeResult probe)
    {
        const string Name = "overcommit";
        var ratio = _configuration.Overcommit;
        var space = probe.Writable ? FilesystemSpace.Read(probe.ProbedDirectory!) : null;
        if (space is null)
        {
            return DoctorCheck.Skip(Name, FormattableString.Invariant($"{ConfigurationKeys.LoopOvercommit} is {ratio}; {probe.Directory} is not usable, so there is no free space to apply it to"));
        }

        var allowed = (long)Math.Min(space.AvailableBytes * ratio, long.MaxValue);
        var limit = space.MaxFileBytes is { } max && max < allowed ? FormattableString.Invariant($"; {space.TypeName} holds files of at most {new Domain.ByteSize(max).ToApproximateString()}") : string.Empty;
        return DoctorCheck.Ok(
            Name,
            FormattableString.Invariant($"{ConfigurationKeys.LoopOvercommit} is {ratio}: with {new Domain.ByteSize(space.AvailableBytes).ToApproximateString()} free in {probe.ProbedDirectory}, a new image may be at most {new Domain.ByteSize(allowed).ToApproximateString()}{limit}"));
    }

    private DoctorCheck LoopControlCheck()
    {
        const string Name = "loop devices";
        const string Control = "/dev/loop-control";
        return File.Exists(_host.Map(Control))
            ? DoctorCheck.Ok(Name, $"{Control} exists: losetup can allocate loop devices")
            : DoctorCheck.Fail(
                Name,
                $"{Control} is missing: the kernel's loop driver is not loaded, or /dev is not the host's",
                "load it with modprobe loop (and add loop to /etc/modules); in a container, run privileged with the host's /dev");
    }
}
