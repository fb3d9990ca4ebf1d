namespace VolumeDriver.Domain;

/// <summary>
/// A vCloud independent disk, found by its UUID: with disk.enableUUID on the VM, the guest sees the
/// disk's UUID (32 hex digits without dashes) as the WWN of the SCSI device, which udev exposes as
/// /dev/disk/by-id/wwn-0x&lt;hex&gt; and sysfs as device/wwid.
/// </summary>
/// <param name="DiskName">The disk's name, for messages.</param>
/// <param name="Wwn">32 lower-case hex digits.</param>
internal sealed record VCloudDiskIdentity(string DiskName, string Wwn) : DiskIdentity
{
    public override string Describe() => $"the vCloud disk '{DiskName}' (WWN 0x{Wwn})";
}
