namespace VolumeDriver.Node;

/// <summary>The node's filesystem work: format only when blank, mount, unmount. Every method is idempotent.</summary>
internal interface IDeviceMounter
{
    /// <summary>
    /// Mounts the device at the path, formatting it first only if it is provably blank. Succeeds
    /// without doing anything when that device is already mounted there.
    /// </summary>
    Task<MountDeviceOutcome> MountDeviceAsync(MountDeviceRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Unmounts whatever is mounted at the path. Succeeds when nothing is mounted there or the path
    /// does not exist.
    /// </summary>
    Task<UnmountOutcome> UnmountAsync(string mountPath, CancellationToken cancellationToken);
}

/// <summary>What <see cref="IDeviceMounter.MountDeviceAsync"/> did.</summary>
/// <param name="Formatted">True when the device was blank and a filesystem was created on it.</param>
/// <param name="AlreadyMounted">True when the device was already mounted at the path and nothing was done.</param>
/// <param name="ResolvedDevice">The kernel device the path resolved to (such as /dev/loop3).</param>
internal sealed record MountDeviceOutcome(bool Formatted, bool AlreadyMounted, string ResolvedDevice);

/// <summary>What <see cref="IDeviceMounter.UnmountAsync"/> did.</summary>
/// <param name="Device">The device that was mounted at the path (from mountinfo), or null if nothing was.</param>
internal sealed record UnmountOutcome(string? Device);
