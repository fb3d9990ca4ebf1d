namespace VolumeDriver.Backends.VCloud.Models;

/// <summary>A reference to a VM (from a disk's attachedVms).</summary>
internal sealed record VCloudVmReference(Uri Href, string Name);
