namespace VolumeDriver.Backends.Azure.Blob;

/// <summary>A pool account and the VHDs it holds.</summary>
internal sealed record PoolAccount(string Name, string Sku, int Disks);
