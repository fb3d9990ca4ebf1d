namespace VolumeDriver.Domain;

/// <summary>An Azure data disk, found on the node by the LUN the VM holds it at (SCSI H:C:T:LUN, vendor MSFT).</summary>
internal sealed record AzureLunIdentity(string DiskName, int Lun) : DiskIdentity
{
    public override string Describe() => $"the Azure data disk '{DiskName}' at LUN {Lun}";
}
