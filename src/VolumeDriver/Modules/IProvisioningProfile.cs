using VolumeDriver.Backends;
using VolumeDriver.Domain;

namespace VolumeDriver.Modules;

/// <summary>
/// What dynamic provisioning needs to know of one backend, beyond its <see cref="ICloudDisk"/>: which
/// StorageClass parameters make no sense for a disk made per claim, the backend's own checks of the
/// values (the same ones its verbs run, so a class fails before anything is created, naming the key),
/// the unit it allocates disks in, and where a new disk goes (Azure's availability zones). Pure: no
/// I/O and no cloud call, so the provisioner can refuse a bad class at once.
/// </summary>
internal interface IProvisioningProfile
{
    /// <summary>The backend allocates whole units of this size: a claim's request is rounded up to it.</summary>
    ByteSize AllocationUnit { get; }

    /// <summary>
    /// Why a StorageClass may not set <paramref name="key"/> (it names one existing disk, which every
    /// claim of the class would then share), or null when it may.
    /// </summary>
    string? RefusalOf(string key);

    /// <summary>
    /// Checks the disk request with the backend's own option parser (an invalid value throws
    /// <see cref="Errors.InvalidOptionException"/> naming the key) and places the disk: the options
    /// it is created with (the request's, plus a zone the placement chose) and the node affinity the
    /// PV must carry, if the disk can only be attached in some nodes.
    /// </summary>
    /// <param name="selectedNode">The node the scheduler picked (WaitForFirstConsumer), or null.</param>
    DiskPlacement Place(DiskRequest request, SelectedNode? selectedNode);
}
