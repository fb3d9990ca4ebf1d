using VolumeDriver.Domain;

namespace VolumeDriver.Backends;

/// <summary>
/// One disk backend (loop files, Azure managed disks, Azure blob VHDs, vCloud independent disks).
/// Everything here is cloud-side: it may run on the controller as well as on the node, so it never
/// looks at local block devices or mounts. Every method is idempotent, because kubelet retries and
/// kills slow drivers; a re-run after a crash converges.
/// </summary>
internal interface ICloudDisk
{
    /// <summary>Creates the disk if it does not exist yet, and describes it.</summary>
    Task<DiskInfo> ProvisionAsync(DiskRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Attaches the disk (creating it first when it does not exist) to the node's VM and returns the
    /// device path it will have there. Attaching a disk already attached to that node returns its
    /// device again.
    /// </summary>
    Task<AttachResult> AttachAsync(DiskRequest request, NodeName node, CancellationToken cancellationToken);

    /// <summary>True when the disk is attached to this node's VM.</summary>
    Task<bool> IsAttachedAsync(DiskRequest request, NodeName node, CancellationToken cancellationToken);

    /// <summary>Detaches the disk from the node's VM. A disk, VM or attachment that is gone is success.</summary>
    Task DetachAsync(VolumeName volume, NodeName node, CancellationToken cancellationToken);

    /// <summary>Deletes the disk. A disk that is gone is success; an attached disk is refused.</summary>
    Task DeleteAsync(VolumeName volume, CancellationToken cancellationToken);

    /// <summary>
    /// Every volume this driver manages in the backend, with its size, SKU or profile and the node it
    /// is attached to, ordered by name. Read-only.
    /// </summary>
    Task<IReadOnlyList<VolumeSummary>> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Grows the disk to at least <paramref name="newSize"/> and returns the size it has afterwards
    /// (which may be larger: backends allocate in whole units, MiB for loop images, GiB for Azure).
    /// A disk that already has that size (rounded up to the backend's unit) is success with nothing
    /// done, so a retry converges. A disk larger than that is refused: the caller asks to shrink it,
    /// and no backend ever shrinks a disk. A disk that does not exist is a Failure that names it.
    /// </summary>
    Task<ByteSize> ResizeAsync(DiskRequest request, ByteSize newSize, CancellationToken cancellationToken);

    /// <summary>
    /// What the node side looks for to find the disk's device, from the volume's options and the
    /// device path attach returned (which may be empty). Pure: no I/O.
    /// </summary>
    DiskIdentity IdentityFor(DiskRequest request, string? attachedDevicePath);
}
