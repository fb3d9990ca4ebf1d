namespace VolumeDriver.Node;

/// <summary>
/// What one backend adds to the node-side verbs beyond finding, formatting and mounting its device.
/// Only the vCloud backend has any: it removes what the Python vCloud driver left for a volume.
/// </summary>
internal interface INodeHooks
{
    /// <summary>
    /// Runs after <c>unmountdevice</c> unmounted <paramref name="device"/> (null when nothing was
    /// mounted). Idempotent: kubelet retries.
    /// </summary>
    void AfterUnmount(string? device);
}
