namespace VolumeDriver.Backends.VCloud.Models;

/// <summary>An independent disk as the query service or the Disk entity describes it.</summary>
/// <param name="Uuid">The disk's uuid (API ≥ 36), which the guest sees as the WWN; null before 36.</param>
/// <param name="ListedAsAttached">
/// The query record's isAttached, or null when it has none. It may lag a change that just finished
/// (the drain race), so only the read-only list trusts it, to skip asking unattached disks for their VMs.
/// </param>
internal sealed record VCloudDisk(
    Uri Href,
    string Name,
    long SizeBytes,
    string? Uuid,
    string? StorageProfileName,
    string? BusType,
    string? BusSubType,
    bool Shareable,
    bool? ListedAsAttached = null)
{
    public string Id => VCloudXml.IdOf(Href);
}
