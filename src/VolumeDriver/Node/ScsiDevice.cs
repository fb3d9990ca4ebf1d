namespace VolumeDriver.Node;

/// <summary>
/// One SCSI device from <c>/sys/bus/scsi/devices/H:C:T:L</c>: its address, its block device's kernel
/// name (null for a device without one, such as a controller or an empty CD drive) and what the
/// device reports of itself.
/// </summary>
internal sealed record ScsiDevice(ScsiAddress Address, string? BlockName, string? Vendor, string? Model, long? SizeBytes);
