namespace VolumeDriver.Backends.VCloud;

/// <summary>What a new disk is created with.</summary>
internal sealed record VCloudDiskSpec(string Name, long SizeBytes, VCloudStorageProfile? StorageProfile, VCloudBus Bus, string Description);
