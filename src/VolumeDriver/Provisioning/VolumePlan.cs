using VolumeDriver.Backends;
using VolumeDriver.Domain;
using VolumeDriver.Modules;

namespace VolumeDriver.Provisioning;

/// <summary>
/// Everything a provisioned volume is: the disk to create and the PV that describes it, decided
/// before anything is created, so a bad class fails with nothing made.
/// </summary>
/// <param name="Disk">The backend's request: the name pvc-&lt;uid&gt;, the rounded size, the checked options.</param>
/// <param name="Driver">flexVolume.driver, VENDOR/NAME (also the provisioned-by annotation).</param>
/// <param name="FsType">flexVolume.fsType.</param>
/// <param name="Options">flexVolume.options: the class parameters (but the fsType) plus the size.</param>
/// <param name="Capacity">spec.capacity.storage: the request rounded up to the backend's unit.</param>
/// <param name="NodeAffinity">spec.nodeAffinity's one requirement, for a disk only some nodes can attach.</param>
internal sealed record VolumePlan(
    DiskRequest Disk,
    string Driver,
    FsType FsType,
    IReadOnlyDictionary<string, string> Options,
    ByteSize Capacity,
    IReadOnlyList<string> AccessModes,
    ProvisioningClaim Claim,
    string StorageClassName,
    IReadOnlyList<string> MountOptions,
    string ReclaimPolicy,
    NodeAffinityTerm? NodeAffinity)
{
    public string PvName => Disk.Name.Value;
}
