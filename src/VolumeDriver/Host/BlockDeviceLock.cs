using Microsoft.Win32.SafeHandles;
using VolumeDriver.Errors;

namespace VolumeDriver.Host;

/// <summary>
/// An exclusive BSD flock on a block device node, held while the device is probed, formatted and
/// mounted. This is the convention systemd documents for tools that change a block device
/// ("Locking Block Device Access"): udev skips probing a device while it is held, and two driver
/// processes given the same device take turns, so both can never see it blank and both run mkfs.
/// The descriptor is opened without close-on-exec on purpose: every tool started while the lock is
/// held (blkid, mkfs, mount) inherits it, and a flock lives as long as any descriptor of its open
/// file does. So when the driver is killed while mkfs runs, the orphaned mkfs keeps the device
/// locked until it exits, and a retry waits for it instead of starting a second mkfs beside it.
/// </summary>
internal sealed class BlockDeviceLock : IDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(50);

    private readonly SafeFileHandle _handle;

    private BlockDeviceLock(SafeFileHandle handle) => _handle = handle;

    /// <param name="onBusy">Called once when the lock is held elsewhere and this process starts waiting.</param>
    public static async Task<BlockDeviceLock> AcquireAsync(HostRoot host, string devicePath, TimeSpan timeout, TimeProvider timeProvider, Action? onBusy, CancellationToken cancellationToken)
    {
        var handle = LibC.OpenInheritable(host.Map(devicePath), LibC.ReadOnly, 0, out var errno);
        if (handle.IsInvalid)
        {
            handle.Dispose();
            throw new DeviceNotFoundException(devicePath, TimeSpan.Zero, $"cannot open {devicePath} to lock it (errno {errno}); check that the volume is attached to this node");
        }

        var started = timeProvider.GetTimestamp();
        var locked = false;
        try
        {
            var waiting = false;
            while (!LibC.TryLockExclusive(handle, devicePath))
            {
                if (!waiting)
                {
                    waiting = true;
                    onBusy?.Invoke();
                }

                if (timeProvider.GetElapsedTime(started) >= timeout)
                {
                    throw new DeadlineExceededException($"waiting for the lock on {devicePath}", timeout, "another process (a second mountdevice, a formatting tool a killed driver started, or a partitioning tool) holds it; 'fuser -v " + devicePath + "' shows which");
                }

                await Task.Delay(RetryDelay, timeProvider, cancellationToken);
            }

            locked = true;
            return new BlockDeviceLock(handle);
        }
        finally
        {
            if (!locked)
            {
                handle.Dispose();
            }
        }
    }

    public void Dispose() => _handle.Dispose();
}
