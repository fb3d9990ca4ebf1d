namespace VolumeDriver.Backends.VCloud.Models;

/// <summary>The VDC's create link and storage profiles, read when a disk must be created.</summary>
internal sealed record VCloudVdc(Uri Href, Uri CreateDiskLink, IReadOnlyDictionary<string, Uri> StorageProfiles);
