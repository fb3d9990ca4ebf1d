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

/// <summary>One disk on a VM: its controller, its unit on that controller and its size.</summary>
/// <param name="IsVolume">This is the volume being looked for.</param>
internal sealed record VmDiskSlot(VmDiskController Controller, int Unit, long CapacityBytes, bool IsVolume);

/// <summary>
/// A VM's disk controller as vCloud's OVF hardware section names it: the rasd:ResourceType
/// (6 SCSI, 5 IDE, 20 SATA/NVMe), its rasd:ResourceSubType (lsilogic, VirtualSCSI, ...) and its bus
/// number (rasd:Address).
/// </summary>
internal sealed record VmDiskController(int ResourceType, string? SubType, int BusNumber)
{
    public const int ScsiResourceType = 6;

    public bool IsScsi => ResourceType == ScsiResourceType;

    public override string ToString() =>
        $"{(IsScsi ? "SCSI" : "type " + ResourceType.ToString(System.Globalization.CultureInfo.InvariantCulture))} bus {BusNumber.ToString(System.Globalization.CultureInfo.InvariantCulture)}{(SubType is null ? string.Empty : " (" + SubType + ")")}";
}
