using VolumeDriver.Backends;
using VolumeDriver.Backends.Azure.Blob;
using VolumeDriver.Node;

namespace VolumeDriver.Modules;

/// <summary>What one backend contributes to a verb.</summary>
/// <param name="Disk">The cloud side: provision, attach, detach, delete, resize, list, and the disk's identity.</param>
/// <param name="DeviceResolver">The node side: how this backend's disks are found among the node's block devices.</param>
/// <param name="NodeHooks">What runs after the node-side verbs; null: nothing.</param>
/// <param name="VhdMigration">migrate-vhd, which only the Azure backend offers; null elsewhere.</param>
internal sealed record BackendParts(
    ICloudDisk Disk,
    IDeviceResolver DeviceResolver,
    INodeHooks? NodeHooks = null,
    IVhdMigration? VhdMigration = null);
