using VolumeDriver.Domain;

namespace VolumeDriver.Node;

/// <summary>Finds a disk's block device on this node from the identity the device carries.</summary>
internal interface IDeviceLocator
{
    /// <summary>
    /// Returns the host path of the device (a stable path where one exists), waiting up to
    /// <paramref name="timeout"/> for it to appear. Throws <see cref="Errors.DeviceNotFoundException"/>
    /// when it does not.
    /// </summary>
    Task<string> WaitForDeviceAsync(DiskIdentity identity, TimeSpan timeout, CancellationToken cancellationToken);
}
