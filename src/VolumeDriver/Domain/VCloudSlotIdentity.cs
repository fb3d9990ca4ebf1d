namespace VolumeDriver.Domain;

/// <summary>
/// A vCloud independent disk without a UUID the guest can see (the server speaks no API ≥ 36, or
/// kubelet passed no device path): found by asking vCloud Director where the disk sits on this
/// node's VM (controller and unit) and matching that against the SCSI devices the kernel reports.
/// </summary>
/// <param name="DiskName">The disk's name in the VDC.</param>
internal sealed record VCloudSlotIdentity(string DiskName) : DiskIdentity
{
    public override string Describe() => $"the vCloud disk '{DiskName}' (located by its bus and unit on this node's VM)";
}
