using VolumeDriver.Tests.Contract;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Provisioning.EndToEnd;

/// <summary>
/// A fact that runs <c>volume-driver provisioner</c> from the published binary against the
/// Kubernetes double, and the kubelet verbs on real loop devices (root, losetup, mkfs, mount).
/// Skipped, with the reason, when the binary or a prerequisite is missing.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ProvisionerFactAttribute : FactAttribute
{
    public ProvisionerFactAttribute()
    {
        Skip = ProvisionerSupport.MissingReason ?? HostPrerequisites.MissingReason(["losetup", "blkid", "wipefs", "mkfs.ext4", "mount", "umount"]);
    }
}
