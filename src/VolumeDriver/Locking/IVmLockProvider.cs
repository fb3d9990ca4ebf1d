namespace VolumeDriver.Locking;

/// <summary>
/// Serialises attach and detach on one VM (node) across processes, and, with a distributed
/// implementation, across hosts. The returned handle releases the lock when disposed; a process
/// that dies holding it must not hold it forever.
/// </summary>
internal interface IVmLockProvider
{
    /// <summary>Waits up to <paramref name="timeout"/> for the lock named after the VM.</summary>
    Task<IAsyncDisposable> AcquireAsync(string vmName, TimeSpan timeout, CancellationToken cancellationToken);
}
