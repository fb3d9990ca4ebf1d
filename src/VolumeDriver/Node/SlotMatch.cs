namespace VolumeDriver.Node;

/// <summary>The device a VM disk layout points at, or why none can be named yet.</summary>
internal sealed record SlotMatch(ScsiDevice? Device, string? Observation);
