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
