namespace VolumeDriver.Node;

/// <summary>What <see cref="IDeviceMounter.UnmountAsync"/> did.</summary>
/// <param name="Device">The device that was mounted at the path (from mountinfo), or null if nothing was.</param>
internal sealed record UnmountOutcome(string? Device);
