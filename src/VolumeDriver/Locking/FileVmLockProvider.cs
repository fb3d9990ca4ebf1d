using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using VolumeDriver.CloudCalls;
using VolumeDriver.Configuration;
using VolumeDriver.Errors;
using VolumeDriver.Host;

namespace VolumeDriver.Locking;

/// <summary>
/// Per-VM locks as flock(2) locks on files in one directory. The kernel drops a flock when its
/// holder exits for any reason, SIGKILL included, so a crashed driver never leaves a VM locked.
/// This only serialises processes on one machine; the etcd provider does it across machines.
/// Lock files are never deleted: deleting one while another process waits on it would let two
/// processes hold "the" lock at once.
/// </summary>
internal sealed partial class FileVmLockProvider : IVmLockProvider
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMilliseconds(250);

    private readonly string _directory;
    private readonly TimeProvider _timeProvider;
    private readonly RetryLoop _retry;
    private readonly ILogger<FileVmLockProvider> _logger;

    public FileVmLockProvider(string directory, TimeProvider timeProvider, ILogger<FileVmLockProvider> logger)
    {
        _directory = directory;
        _timeProvider = timeProvider;
        _retry = new RetryLoop(timeProvider);
        _logger = logger;
    }

    public async Task<IAsyncDisposable> AcquireAsync(string vmName, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ConfiguredDirectory.Create(_directory, ConfigurationKeys.LockingDirectory);
        var path = Path.Join(_directory, "vm-" + SafeFileName.For(vmName) + ".lock");
        SafeFileHandle file;
        try
        {
            file = OpenLockFile(path);
        }
        catch (IOException e)
        {
            throw ConfiguredDirectory.Unusable(_directory, ConfigurationKeys.LockingDirectory, e);
        }

        var started = _timeProvider.GetTimestamp();
        var acquired = false;
        try
        {
            // flock has no timed wait: try, and try again with backoff until the timeout.
            acquired = await _retry.RunAsync(
                new RetrySchedule(FirstRetryDelay, MaxRetryDelay, maxAttempts: null, maxElapsed: timeout),
                null,
                _ => Task.FromResult(LibC.TryLockExclusive(file, path)),
                attempt => !attempt.Result,
                null,
                null,
                cancellationToken);
            if (!acquired)
            {
                throw new DeadlineExceededException(
                    $"waiting for the attach/detach lock of VM '{vmName}'",
                    timeout,
                    $"another driver process on this machine holds {path}; it is released when that process ends");
            }
        }
        finally
        {
            if (!acquired)
            {
                file.Dispose();
            }
        }

        var waitedMs = _timeProvider.GetElapsedTime(started).TotalMilliseconds;
        LogAcquired(_logger, vmName, waitedMs);
        return new Handle(file, vmName, _logger);
    }

    /// <summary>
    /// Opens the lock file with open(2) rather than FileStream: .NET's FileStream takes a flock of its
    /// own (shared or exclusive, by FileShare) on every file it opens, which would fight ours.
    /// </summary>
    private static SafeFileHandle OpenLockFile(string path)
    {
        var handle = LibC.Open(path, LibC.ReadWrite | LibC.Create, 0b110_000_000, out var errno);
        if (handle.IsInvalid)
        {
            handle.Dispose();
            throw new IOException($"cannot open lock file {path}: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        }

        return handle;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Acquired the lock of VM {VmName} after {WaitedMs:0} ms")]
    private static partial void LogAcquired(ILogger logger, string vmName, double waitedMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Released the lock of VM {VmName}")]
    private static partial void LogReleased(ILogger logger, string vmName);

    /// <summary>Closing the descriptor releases the flock.</summary>
    private sealed class Handle : IAsyncDisposable
    {
        private readonly SafeFileHandle _file;
        private readonly string _vmName;
        private readonly ILogger _logger;

        public Handle(SafeFileHandle file, string vmName, ILogger logger)
        {
            _file = file;
            _vmName = vmName;
            _logger = logger;
        }

        public ValueTask DisposeAsync()
        {
            _file.Dispose();
            LogReleased(_logger, _vmName);
            return ValueTask.CompletedTask;
        }
    }
}
