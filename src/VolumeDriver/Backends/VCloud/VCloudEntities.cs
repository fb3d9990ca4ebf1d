using VolumeDriver.Domain;

namespace VolumeDriver.Backends.VCloud;

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

/// <summary>A VM found by the query service.</summary>
/// <param name="PoweredOn">The record's status is POWERED_ON (or the entity's status is 4).</param>
internal sealed record VCloudVmRecord(Uri Href, string Name, string? VAppName, bool PoweredOn);

/// <summary>A VM entity: its attach and detach action links and every disk it has, with their slots.</summary>
internal sealed record VCloudVm(Uri Href, string Name, bool PoweredOn, Uri? AttachLink, Uri? DetachLink, IReadOnlyList<VCloudVmDisk> Disks);

/// <summary>A disk of a VM where it sits: its controller, its unit there and its capacity.</summary>
/// <param name="IndependentDisk">The independent disk's href, or null for the VM's own disks (the OS disk).</param>
internal sealed record VCloudVmDisk(Uri? IndependentDisk, VmDiskController Controller, int Unit, long CapacityMb);

/// <summary>A reference to a VM (from a disk's attachedVms).</summary>
internal sealed record VCloudVmReference(Uri Href, string Name);

/// <summary>A vCD task's state.</summary>
internal sealed record VCloudTask(Uri Href, string Status, string? OperationName, string? ErrorMessage, string? ErrorMinorCode)
{
    /// <summary>go-vcloud-director's running set: queued, preRunning, running, postRunning.</summary>
    public bool IsRunning => Status is "queued" or "preRunning" or "running" or "postRunning";

    /// <summary>Only success is good: aborted and canceled did not do the work.</summary>
    public bool Succeeded => Status == "success";
}

/// <summary>The VDC's create link and storage profiles, read when a disk must be created.</summary>
internal sealed record VCloudVdc(Uri Href, Uri CreateDiskLink, IReadOnlyDictionary<string, Uri> StorageProfiles);
