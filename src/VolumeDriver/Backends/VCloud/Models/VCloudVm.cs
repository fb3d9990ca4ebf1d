namespace VolumeDriver.Backends.VCloud.Models;

/// <summary>A VM entity: its attach and detach action links and every disk it has, with their slots.</summary>
internal sealed record VCloudVm(Uri Href, string Name, bool PoweredOn, Uri? AttachLink, Uri? DetachLink, IReadOnlyList<VCloudVmDisk> Disks);
