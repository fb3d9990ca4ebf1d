using VolumeDriver.Backends;
using VolumeDriver.Domain;
using VolumeDriver.Errors;

namespace VolumeDriver.FlexVolume;

/// <summary>
/// kubelet's options map, parsed once at the edge into typed values. Keys the backend reads are
/// kept, unparsed, in <see cref="BackendOptions"/>; every other key has been checked.
/// </summary>
/// <param name="VolumeName">
/// The disk's name: kubernetes.io/pvOrVolumeName, the name kubelet also passes to detach. (A disk
/// named apart from its PV, the vCloud driver's volumeName option, needs a record that maps detach's
/// PV name back to the disk; it comes with the backend that needs it.)
/// </param>
/// <param name="FsType">The filesystem to create and expect.</param>
/// <param name="ReadOnly">kubernetes.io/readwrite is "ro".</param>
/// <param name="MountOptions">Validated extra mount options.</param>
/// <param name="Size">The size to create the disk with, when given.</param>
/// <param name="FsGroup">The pod's fsGroup, when kubelet passed one.</param>
internal sealed record FlexOptions(
    VolumeName? VolumeName,
    FsType FsType,
    bool ReadOnly,
    MountOptions MountOptions,
    ByteSize? Size,
    long? FsGroup,
    IReadOnlyDictionary<string, string> BackendOptions)
{
    /// <summary>The volume name, or a Failure naming the option that should have carried it.</summary>
    public VolumeName RequireVolumeName() => VolumeName
        ?? throw new InvalidOptionException(OptionKeys.PvOrVolumeName, $"the options name no volume: set {OptionKeys.PvOrVolumeName} (kubelet always does)");

    /// <summary>The backend's view of the disk these options describe.</summary>
    public DiskRequest ToDiskRequest() => new(RequireVolumeName(), Size, BackendOptions);
}
