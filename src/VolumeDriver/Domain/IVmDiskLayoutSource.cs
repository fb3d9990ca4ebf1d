namespace VolumeDriver.Domain;

/// <summary>
/// The node side's one cloud query, and the single exception to "the node never calls a cloud": how
/// a node's VM holds its disks, for a disk the guest cannot identify on its own (a vCloud disk
/// without a UUID, on a server older than API 36 or a VM without disk.enableUUID). The vCloud
/// backend answers it (three read-only requests) and the vCloud module hands it to the node's
/// resolver; no other backend has one. It lives here, below both, so neither depends on the other.
/// </summary>
internal interface IVmDiskLayoutSource
{
    /// <summary>The disks of <paramref name="node"/>'s VM, with the disk named <paramref name="diskName"/> marked as the volume.</summary>
    Task<VmDiskLayout> ReadLayoutAsync(string diskName, NodeName node, CancellationToken cancellationToken);
}
