using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Contract;

/// <summary>A fact that runs the published binary; skipped (never passed) when it has not been built.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ContractFactAttribute : FactAttribute
{
    public ContractFactAttribute()
    {
        Skip = DriverBinary.MissingReason;
    }
}

/// <summary>The theory twin of <see cref="ContractFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ContractTheoryAttribute : TheoryAttribute
{
    public ContractTheoryAttribute()
    {
        Skip = DriverBinary.MissingReason;
    }
}

/// <summary>The theory twin of <see cref="LifecycleFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LifecycleTheoryAttribute : TheoryAttribute
{
    /// <param name="extraTools">Tools this test needs beyond the lifecycle's own.</param>
    public LifecycleTheoryAttribute(params string[] extraTools)
    {
        Skip = DriverBinary.MissingReason ?? HostPrerequisites.MissingReason(["losetup", "blkid", "wipefs", "mkfs.ext4", "mount", "umount", .. extraTools]);
    }
}

/// <summary>A fact that runs the published binary against real loop devices, as root.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LifecycleFactAttribute : FactAttribute
{
    /// <param name="extraTools">Tools this test needs beyond the lifecycle's own (mkfs.xfs, resize2fs...).</param>
    public LifecycleFactAttribute(params string[] extraTools)
    {
        Skip = DriverBinary.MissingReason ?? HostPrerequisites.MissingReason(["losetup", "blkid", "wipefs", "mkfs.ext4", "mount", "umount", .. extraTools]);
    }

    /// <summary>Whether the test needs this process to have (or to lack) CAP_SYS_RESOURCE, which online ext4 growth needs.</summary>
    public CapabilityRequirement CapSysResource
    {
        get;
        set
        {
            field = value;
            var has = HostPrerequisites.HasCapability(HostPrerequisites.CapSysResource);
            Skip ??= (value, has) switch
            {
                (CapabilityRequirement.Present, false) => "needs CAP_SYS_RESOURCE (the kernel's requirement for growing a mounted ext4); this process's capability set lacks it",
                (CapabilityRequirement.Absent, true) => "checks the failure without CAP_SYS_RESOURCE; this process has it",
                _ => null,
            };
        }
    }
}

/// <summary>What a test needs of a capability.</summary>
public enum CapabilityRequirement
{
    Any,
    Present,
    Absent,
}
