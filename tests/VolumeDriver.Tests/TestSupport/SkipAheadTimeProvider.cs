namespace VolumeDriver.Tests.TestSupport;

/// <summary>
/// A clock for tests of code whose only timers are waits (retry backoff, drain polls, lock polls)
/// against a real test double: every wait ends at once and the clock jumps to its end, so the code's
/// budgets (attempts, elapsed time) are honoured without waiting in real time. Not for code that
/// arms a deadline while real I/O runs (the deadline's timer would fire at once too). A test where
/// another process must act while the code waits starts it held and releases it afterwards.
/// </summary>
public sealed class SkipAheadTimeProvider : TimeProvider
{
    private readonly ManualTimeProvider _clock = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<TimeSpan> _waits = new();
    private readonly long _started;
    private volatile bool _held;

    /// <param name="held">
    /// Whether the clock starts held: its timers then wait until <see cref="Release"/>, so a test can
    /// act while the code waits (another node detaching in a drain race); from then on it skips ahead.
    /// </param>
    public SkipAheadTimeProvider(bool held = false)
    {
        _started = _clock.GetTimestamp();
        _held = held;
    }

    public override long TimestampFrequency => _clock.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => _clock.LocalTimeZone;

    /// <summary>How far the clock has jumped in all: the time the code under test would have waited.</summary>
    public TimeSpan Skipped => _clock.GetElapsedTime(_started);

    /// <summary>Every wait the code under test started (each timer's due time), in the order they started.</summary>
    public IReadOnlyList<TimeSpan> Waits => [.. _waits];

    public override DateTimeOffset GetUtcNow() => _clock.GetUtcNow();

    public override long GetTimestamp() => _clock.GetTimestamp();

    /// <summary>Completes once the code waits <paramref name="dueTime"/> on a held clock (see <see cref="ManualTimeProvider.WaitForTimerAsync"/>).</summary>
    public Task WaitForTimerAsync(TimeSpan dueTime) => _clock.WaitForTimerAsync(dueTime);

    /// <summary>Ends the hold: the earliest pending wait ends now, and every later one as it starts.</summary>
    public void Release()
    {
        _held = false;
        ThreadPool.QueueUserWorkItem(_ => _clock.AdvanceToNextTimer());
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = _clock.CreateTimer(callback, state, dueTime, period);
        if (dueTime == Timeout.InfiniteTimeSpan)
        {
            return timer;
        }

        _waits.Enqueue(dueTime);
        if (!_held)
        {
            // Off the caller's thread: the caller is still setting up the wait this timer ends.
            ThreadPool.QueueUserWorkItem(_ => _clock.AdvanceToNextTimer());
        }

        return timer;
    }
}
