using VolumeDriver.Backends;
using VolumeDriver.Backends.VCloud;
using VolumeDriver.Domain;

namespace VolumeDriver.Modules;

/// <summary>
/// vCloud independent disks: sized in whole MiB (the backend rounds up to a MiB and sends
/// <c>sizeMb</c> from API 33), checked by <see cref="VCloudDiskOptions.From"/>, reachable from every
/// VM of the VDC, so no node affinity.
/// </summary>
internal sealed class VCloudProvisioningProfile : IProvisioningProfile
{
    public ByteSize AllocationUnit { get; } = new(1L << 20);

    public string? RefusalOf(string key) => key == VCloudDiskName.OptionKey
        ? $"{VCloudDiskName.OptionKey} names one existing disk, which every claim of the class would share; a provisioned disk is named after its PV (pvc-<claim uid>). Remove it from the StorageClass, or write a PV by hand for an existing disk"
        : null;

    public DiskPlacement Place(DiskRequest request, SelectedNode? selectedNode)
    {
        VCloudDiskOptions.From(request);
        return new DiskPlacement(request.Options, NodeAffinity: null);
    }
}
