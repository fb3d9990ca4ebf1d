using VolumeDriver.Backends;
using VolumeDriver.Domain;

namespace VolumeDriver.Modules;

/// <summary>
/// Loop images take no backend options and are sized in whole MiB (<c>LoopDiskBackend</c> rounds
/// the image up to a MiB, so the device is always sector-aligned).
/// </summary>
internal sealed class LoopProvisioningProfile : IProvisioningProfile
{
    public ByteSize AllocationUnit { get; } = new(1L << 20);

    public string? RefusalOf(string key) => null;

    public DiskPlacement Place(DiskRequest request, SelectedNode? selectedNode) => new(request.Options, NodeAffinity: null);
}
