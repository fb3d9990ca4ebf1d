namespace VolumeDriver.Domain;

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
