namespace VolumeDriver.Domain;

/// <summary>A vCloud independent disk, found by its UUID (the WWN the guest sees), or by its slot before API 36.</summary>
internal sealed record VCloudDiskIdentity(string DiskId, string? Uuid, int? BusNumber, int? UnitNumber) : DiskIdentity
{
    public override string Describe() => Uuid is not null ? $"the vCloud disk {DiskId} (WWN {Uuid})" : $"the vCloud disk {DiskId} (bus {BusNumber}, unit {UnitNumber})";
}
