namespace VolumeDriver.Backends;

/// <summary>The outcome of attach: the device path the disk has (or will have) on the node.</summary>
internal sealed record AttachResult(string DevicePath);
