namespace VolumeDriver.Node;

/// <summary>What <see cref="IDeviceMounter.MountDeviceAsync"/> did.</summary>
/// <param name="Formatted">True when the device was blank and a filesystem was created on it.</param>
/// <param name="AlreadyMounted">True when the device was already mounted at the path and nothing was done.</param>
/// <param name="ResolvedDevice">The kernel device the path resolved to (such as /dev/loop3).</param>
internal sealed record MountDeviceOutcome(bool Formatted, bool AlreadyMounted, string ResolvedDevice);
