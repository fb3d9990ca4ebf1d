using VolumeDriver.Domain;

namespace VolumeDriver.Node;

/// <summary>
/// Asks the cloud how a node's VM holds its disks, for disks the guest cannot identify on its own
/// (a vCloud disk without a UUID). Only the vCloud backend provides it.
/// </summary>
internal interface IVmDiskLayoutSource
{
    /// <summary>The disks of <paramref name="node"/>'s VM, with the disk named <paramref name="diskName"/> marked as the volume.</summary>
    Task<VmDiskLayout> ReadLayoutAsync(string diskName, NodeName node, CancellationToken cancellationToken);
}
