namespace VolumeDriver.Tests.TestSupport;

/// <summary>
/// A clock for tests of code whose only timers are waits (retry backoff, drain polls, lock polls)
/// against a real test double: every wait ends at once and the clock jumps to its end, so the code's
/// budgets (attempts, elapsed time) are honoured without waiting in real time. Not for code that
/// arms a deadline while real I/O runs (the deadline's timer would fire at once too), nor for tests
/// where another process must act while the code waits.
/// </summary>
public sealed class SkipAheadTimeProvider : TimeProvider
{
    private readonly ManualTimeProvider _clock = new();
    private readonly long _started;

    public SkipAheadTimeProvider()
    {
        _started = _clock.GetTimestamp();
    }

    public override long TimestampFrequency => _clock.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => _clock.LocalTimeZone;

    /// <summary>How far the clock has jumped in all: the time the code under test would have waited.</summary>
    public TimeSpan Skipped => _clock.GetElapsedTime(_started);

    public override DateTimeOffset GetUtcNow() => _clock.GetUtcNow();

    public override long GetTimestamp() => _clock.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = _clock.CreateTimer(callback, state, dueTime, period);
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            // Off the caller's thread: the caller is still setting up the wait this timer ends.
            ThreadPool.QueueUserWorkItem(_ => _clock.AdvanceToNextTimer());
        }

        return timer;
    }
}
