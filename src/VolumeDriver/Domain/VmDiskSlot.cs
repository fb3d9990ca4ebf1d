namespace VolumeDriver.Domain;

/// <summary>One disk on a VM: its controller, its unit on that controller and its size.</summary>
/// <param name="IsVolume">This is the volume being looked for.</param>
internal sealed record VmDiskSlot(VmDiskController Controller, int Unit, long CapacityBytes, bool IsVolume);
