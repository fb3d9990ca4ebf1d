namespace VolumeDriver.Backends.VCloud;

/// <summary>A VDC storage profile by name and href.</summary>
internal sealed record VCloudStorageProfile(string Name, Uri Href);
