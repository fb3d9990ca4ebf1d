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

/// <summary>A fact that runs the published binary against real loop devices, as root.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LifecycleFactAttribute : FactAttribute
{
    public LifecycleFactAttribute(params string[] moreTools)
    {
        Skip = DriverBinary.MissingReason ?? HostPrerequisites.MissingReason(["losetup", "blkid", "wipefs", "mkfs.ext4", "mount", "umount", .. moreTools]);
    }
}
