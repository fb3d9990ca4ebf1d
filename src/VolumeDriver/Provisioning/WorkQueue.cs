using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace VolumeDriver.Provisioning;

/// <summary>
/// The controller's work queue, in the manner of client-go's workqueue: a key waits in the queue at
/// most once however often it is added; a key being worked on is never handed to a second worker,
/// and one added meanwhile is worked on again right after (so the last change is always seen); a key
/// whose work failed comes back after a per-key exponential backoff on the injected clock
/// (<see cref="BaseDelay"/> doubling up to <see cref="MaxDelay"/>, as external-provisioner's 1 s to
/// 5 min), and its count starts over once it succeeds.
/// </summary>
internal sealed class WorkQueue : IDisposable
{
    public static readonly TimeSpan BaseDelay = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(5);

    private readonly Lock _gate = new();
    private readonly Channel<string> _ready = Channel.CreateUnbounded<string>();
    private readonly HashSet<string> _queued = new(StringComparer.Ordinal);
    private readonly HashSet<string> _processing = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dirty = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _failures = new(StringComparer.Ordinal);
    private readonly HashSet<ITimer> _timers = [];
    private readonly TimeProvider _timeProvider;
    private bool _disposed;

    public WorkQueue(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
    }

    /// <summary>How many keys wait or are being worked on.</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _queued.Count + _processing.Count;
            }
        }
    }

    public void Add(string key)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            if (_processing.Contains(key))
            {
                _dirty.Add(key);
            }
            else if (_queued.Add(key))
            {
                _ready.Writer.TryWrite(key);
            }
        }
    }

    /// <summary>Adds the key once <paramref name="delay"/> has passed on the injected clock.</summary>
    public void AddAfter(string key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }

        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            // The callback takes the lock first, so it sees the timer assigned even if it is due at once.
            var scheduled = new StrongBox<ITimer?>();
            scheduled.Value = _timeProvider.CreateTimer(
                state =>
                {
                    var box = (StrongBox<ITimer?>)state!;
                    lock (_gate)
                    {
                        _timers.Remove(box.Value!);
                    }

                    box.Value!.Dispose();
                    Add(key);
                },
                scheduled,
                delay,
                Timeout.InfiniteTimeSpan);
            _timers.Add(scheduled.Value);
        }
    }

    /// <summary>The key failed: it comes back after its next backoff, which is returned.</summary>
    public TimeSpan Retry(string key)
    {
        int failures;
        lock (_gate)
        {
            failures = _failures[key] = _failures.GetValueOrDefault(key) + 1;
        }

        var delay = DelayAfter(failures);
        AddAfter(key, delay);
        return delay;
    }

    /// <summary>The key's work succeeded: its next failure backs off from the start again.</summary>
    public void Forget(string key)
    {
        lock (_gate)
        {
            _failures.Remove(key);
        }
    }

    /// <summary><see cref="BaseDelay"/> × 2^(failures − 1), at most <see cref="MaxDelay"/>.</summary>
    public static TimeSpan DelayAfter(int failures)
    {
        var exponent = Math.Min(Math.Max(failures - 1, 0), 30);
        var ticks = BaseDelay.Ticks * (1L << exponent);
        return ticks >= MaxDelay.Ticks || ticks <= 0 ? MaxDelay : TimeSpan.FromTicks(ticks);
    }

    /// <summary>
    /// Runs <paramref name="workers"/> workers until <paramref name="cancellationToken"/> is cancelled;
    /// each takes a key, runs <paramref name="work"/> on it, and hands it back. <paramref name="work"/>
    /// decides about retries (<see cref="Retry"/>, <see cref="Forget"/>) and must not throw but for
    /// cancellation.
    /// </summary>
    public async Task RunAsync(int workers, Func<string, CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        var running = Enumerable.Range(0, workers).Select(_ => WorkAsync(work, cancellationToken)).ToList();
        try
        {
            await Task.WhenAll(running);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped: the keys left in the queue are the next leader's, which lists everything again.
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var timer in _timers)
            {
                timer.Dispose();
            }

            _timers.Clear();
            _ready.Writer.TryComplete();
        }
    }

    private async Task WorkAsync(Func<string, CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        while (await _ready.Reader.WaitToReadAsync(cancellationToken))
        {
            if (!_ready.Reader.TryRead(out var key))
            {
                continue;
            }

            lock (_gate)
            {
                _queued.Remove(key);
                _processing.Add(key);
            }

            try
            {
                await work(key, cancellationToken);
            }
            finally
            {
                lock (_gate)
                {
                    _processing.Remove(key);
                    if (_dirty.Remove(key) && !_disposed && _queued.Add(key))
                    {
                        _ready.Writer.TryWrite(key);
                    }
                }
            }
        }
    }
}
