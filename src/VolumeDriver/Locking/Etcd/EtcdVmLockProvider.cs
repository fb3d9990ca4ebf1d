using Microsoft.Extensions.Logging;
using VolumeDriver.CloudCalls;
using VolumeDriver.Errors;

namespace VolumeDriver.Locking.Etcd;

/// <summary>
/// Per-VM locks in etcd, so that attach and detach on one VM are serialised across every node and
/// the controller (vCD runs one task per VM at a time; two drivers racing get BUSY_ENTITY at best).
/// Each acquisition grants its own lease (locking twice with one lease is a no-op in etcd, so a
/// shared lease would let two waits in one process both "hold" the lock), keeps it alive every
/// TTL/3, and waits in etcd's lock service, which queues waiters fairly. A holder that dies stops
/// its keepalives and etcd frees the lock within the TTL; a clean exit unlocks, then revokes.
/// </summary>
internal sealed partial class EtcdVmLockProvider : IVmLockProvider
{
    public const string DefaultKeyPrefix = "volume-driver/vm/";

    private readonly IEtcdGateway _gateway;
    private readonly TimeSpan _leaseTtl;
    private readonly TimeSpan _releaseTimeout;
    private readonly string _keyPrefix;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <param name="keyPrefix">Lock names are this plus the VM name (default <c>volume-driver/vm/</c>).</param>
    /// <param name="releaseTimeout">How long unlock and revoke may take on the way out.</param>
    public EtcdVmLockProvider(IEtcdGateway gateway, TimeSpan leaseTtl, TimeSpan releaseTimeout, string keyPrefix, TimeProvider timeProvider, ILogger logger)
    {
        _gateway = gateway;
        _leaseTtl = leaseTtl;
        _releaseTimeout = releaseTimeout;
        _keyPrefix = keyPrefix;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public async Task<IAsyncDisposable> AcquireAsync(string vmName, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        var name = _keyPrefix + vmName;
        var lease = await _gateway.GrantLeaseAsync(_leaseTtl, cancellationToken);
        var held = new EtcdVmLock(this, vmName, lease);
        held.StartKeepAlive();
        try
        {
            using var deadline = Deadline.Start($"waiting for the attach/detach lock of VM '{vmName}' in etcd", timeout, _timeProvider, cancellationToken);
            held.Key = await deadline.RunAsync(
                token => _gateway.LockAsync(name, lease, token),
                $"another driver (on this or another node) holds {name}; it is released when that driver finishes, or within {_leaseTtl.TotalSeconds:0} s if it died");

            if (held.LostToken.IsCancellationRequested)
            {
                throw new CloudRequestException(CloudService.Etcd, "/v3/lock/lock", 200, null, CloudRequestIds.None, $"the etcd lease for the lock of VM '{vmName}' expired while waiting for it; etcd may be overloaded or unreachable");
            }
        }
        catch
        {
            await held.DisposeAsync();
            throw;
        }

        var waitedMs = _timeProvider.GetElapsedTime(started).TotalMilliseconds;
        LogAcquired(_logger, vmName, lease, waitedMs);
        return held;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Acquired the etcd lock of VM {VmName} (lease {Lease:x}) after {WaitedMs:0} ms")]
    private static partial void LogAcquired(ILogger logger, string vmName, long lease, double waitedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Released the etcd lock of VM {VmName} (lease {Lease:x})")]
    private static partial void LogReleased(ILogger logger, string vmName, long lease);

    [LoggerMessage(Level = LogLevel.Error, Message = "Lost the etcd lease {Lease:x} of VM {VmName}'s lock while holding it: another driver may now change the VM at the same time")]
    private static partial void LogLost(ILogger logger, string vmName, long lease);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not refresh the etcd lease {Lease:x} of VM {VmName}: {Reason}; retrying")]
    private static partial void LogKeepAliveFailed(ILogger logger, string vmName, long lease, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release the etcd lock of VM {VmName} cleanly: {Reason}; it frees itself when lease {Lease:x} expires")]
    private static partial void LogReleaseFailed(ILogger logger, string vmName, long lease, string reason);

    /// <summary>A held (or being acquired) lock: its lease, its keepalive loop and its key.</summary>
    internal sealed class EtcdVmLock : IAsyncDisposable
    {
        private readonly EtcdVmLockProvider _provider;
        private readonly string _vmName;
        private readonly long _lease;
        private readonly CancellationTokenSource _stop = new();
        private readonly CancellationTokenSource _lost = new();
        private Task _keepAlive = Task.CompletedTask;
        private int _disposed;

        public EtcdVmLock(EtcdVmLockProvider provider, string vmName, long lease)
        {
            _provider = provider;
            _vmName = vmName;
            _lease = lease;
        }

        public string? Key { get; set; }

        public long Lease => _lease;

        /// <summary>Cancelled when a keepalive finds the lease gone: the lock is no longer exclusive.</summary>
        public CancellationToken LostToken => _lost.Token;

        public void StartKeepAlive() => _keepAlive = KeepAliveLoopAsync();

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            await _stop.CancelAsync();
            await _keepAlive;
            using var release = new CancellationTokenSource(_provider._releaseTimeout, _provider._timeProvider);
            try
            {
                if (Key is not null)
                {
                    await _provider._gateway.UnlockAsync(Key, release.Token);
                }

                await _provider._gateway.RevokeLeaseAsync(_lease, release.Token);
                if (Key is not null)
                {
                    LogReleased(_provider._logger, _vmName, _lease);
                }
            }
            catch (Exception e) when (e is CloudRequestException or OperationCanceledException)
            {
                // Never replace the caller's own exception: the lease expiry frees the lock anyway.
                LogReleaseFailed(_provider._logger, _vmName, _lease, e.Message);
            }
            finally
            {
                _stop.Dispose();
                _lost.Dispose();
            }
        }

        private async Task KeepAliveLoopAsync()
        {
            var interval = _provider._leaseTtl / 3;
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(interval, _provider._timeProvider, _stop.Token);
                    var remaining = await _provider._gateway.KeepAliveAsync(_lease, _stop.Token);
                    if (remaining is null)
                    {
                        LogLost(_provider._logger, _vmName, _lease);
                        await _lost.CancelAsync();
                        return;
                    }
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (CloudRequestException e)
                {
                    // A missed refresh is not yet a lost lease: the next one may get through.
                    LogKeepAliveFailed(_provider._logger, _vmName, _lease, e.Message);
                }
            }
        }
    }
}
