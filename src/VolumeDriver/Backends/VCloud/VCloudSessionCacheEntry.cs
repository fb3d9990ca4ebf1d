namespace VolumeDriver.Backends.VCloud;

/// <summary>The on-disk form of the cache file: the session plus whose it is.</summary>
internal sealed record VCloudSessionCacheEntry(string Endpoint, string Org, string User, string Vdc, VCloudSession Session);
