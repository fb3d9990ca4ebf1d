using VolumeDriver.Configuration;
using VolumeDriver.Diagnostics;
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
