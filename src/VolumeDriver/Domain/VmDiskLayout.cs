namespace VolumeDriver.Domain;

/// <summary>
/// The disks of one VM as its cloud describes them, each on its controller: what the node matches
/// against the kernel's SCSI devices when a disk carries no identifier the guest can read.
/// </summary>
/// <param name="VmName">The VM, for messages.</param>
/// <param name="Disks">Every disk of the VM (the OS disk too), each with its slot.</param>
/// <param name="VolumeWwn">The volume's WWN when the cloud reports one (then the slot is not needed), else null.</param>
internal sealed record VmDiskLayout(string VmName, IReadOnlyList<VmDiskSlot> Disks, string? VolumeWwn)
{
    /// <summary>The slot of the volume's disk, or null when the VM does not hold it.</summary>
    public VmDiskSlot? Volume => Disks.FirstOrDefault(d => d.IsVolume);
}
