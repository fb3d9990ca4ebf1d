using System.Globalization;
using VolumeDriver.Errors;

namespace VolumeDriver.Backends.Azure;

/// <summary>What became of one request to change a VM's data disks (<see cref="VmDataDiskUpdater"/>).</summary>
internal abstract record VmDiskOutcome
{
    private const string DetachedText = "detached";
    private const string AbsentText = "absent";

    private VmDiskOutcome()
    {
    }

    /// <summary>
    /// How the answer files of <see cref="VmUpdateQueue"/> spell the outcome: the LUN of an attach,
    /// "detached", or "absent". Another process (maybe of another release) reads them.
    /// </summary>
    public abstract string AnswerText { get; }

    /// <summary>Reads what another process's update wrote for a request.</summary>
    public static VmDiskOutcome ParseAnswer(string text) => text switch
    {
        DetachedText => new Detached(),
        AbsentText => new Absent(),
        _ when int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var lun) => new Attached(lun),
        _ => throw new DiskOperationException($"the attach queue holds the answer '{text}', which is neither a LUN nor '{DetachedText}' or '{AbsentText}'; kubelet's retry will look at the VM again"),
    };

    /// <summary>The disk is attached to the VM at <paramref name="Lun"/>.</summary>
    public sealed record Attached(int Lun) : VmDiskOutcome
    {
        public override string AnswerText => Lun.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The disk was on the VM and the update detached it.</summary>
    public sealed record Detached : VmDiskOutcome
    {
        public override string AnswerText => DetachedText;
    }

    /// <summary>A detach with nothing to detach: the disk is not on the VM, or the VM is gone.</summary>
    public sealed record Absent : VmDiskOutcome
    {
        public override string AnswerText => AbsentText;
    }
}
