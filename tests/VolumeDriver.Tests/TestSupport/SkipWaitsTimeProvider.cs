namespace VolumeDriver.Tests.TestSupport;

/// <summary>
/// One clock for a whole test world, the code under test and the cloud double alike, that jumps over
/// waits but never over a deadline. Whenever a wait is pending (a Task.Delay: a task poll, a drain
/// poll, a retry's backoff, a task the double runs for a while) the clock moves to the earliest one
/// and fires it, so waiting costs no real time and a double's task ends when the code polling it has
/// waited long enough. A deadline (a CancellationTokenSource given this clock) never moves the clock
/// by itself: it fires only when the clock passes it on its way to a wait. So a deadline armed around
/// real I/O (a request's 60 s) stays armed while the request is on its way, which
/// <see cref="SkipAheadTimeProvider"/> cannot promise: it fires every timer as soon as it is set.
/// </summary>
/// <remarks>
/// Waits and deadlines are told apart by the timer's state: <c>new CancellationTokenSource(delay,
/// timeProvider)</c> and its CancelAfter create their timer with the source as its state, Task.Delay with
/// its own promise (pinned by SkipWaitsTimeProviderTests). The clock jumps to the earliest wait whoever
/// is still busy meanwhile, so a test whose actors must act in an order (an old node detaching while a
/// new one waits) pauses the clock, lets each actor start waiting (<see cref="WaitForTimerAsync"/>), and
/// resumes it.
/// </remarks>
public sealed class SkipWaitsTimeProvider : TimeProvider
{
    private readonly ManualTimeProvider _clock = new();
    private readonly long _started;
    private readonly Lock _stepping = new();
    private volatile bool _paused;

    public SkipWaitsTimeProvider()
    {
        _started = _clock.GetTimestamp();
    }

    public override long TimestampFrequency => _clock.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => _clock.LocalTimeZone;

    /// <summary>How far the clock has moved in all: the time the world would have taken.</summary>
    public TimeSpan Elapsed => _clock.GetElapsedTime(_started);

    public override DateTimeOffset GetUtcNow() => _clock.GetUtcNow();

    public override long GetTimestamp() => _clock.GetTimestamp();

    /// <summary>Stops the clock: timers are set but nothing fires until <see cref="Resume"/> (or <see cref="Advance"/>).</summary>
    public void Pause() => _paused = true;

    /// <summary>Lets the clock jump over waits again, starting with those already pending.</summary>
    public void Resume()
    {
        _paused = false;
        ScheduleStep();
    }

    /// <summary>Moves a paused clock by hand, firing what falls due (deadlines too).</summary>
    public void Advance(TimeSpan delta) => _clock.Advance(delta);

    /// <summary>Completes once a timer due <paramref name="dueTime"/> after it was set is pending, e.g. an actor's first poll.</summary>
    public Task WaitForTimerAsync(TimeSpan dueTime) => _clock.WaitForTimerAsync(dueTime);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        // Each firing may end the last wait of one actor without setting a new timer, while another
        // actor still waits: so every firing, like every new timer, lets the clock take another step.
        var timer = _clock.CreateTimer(
            s =>
            {
                callback(s);
                ScheduleStep();
            },
            state,
            dueTime,
            period);
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            ScheduleStep();
        }

        return timer;
    }

    /// <summary>Whether a timer with this state is someone's wait (the clock may jump to it) rather than a deadline.</summary>
    internal static bool IsWait(object? timerState) => timerState is not CancellationTokenSource;

    /// <summary>Off the caller's thread: the caller is still setting up the wait this step may end.</summary>
    private void ScheduleStep() => ThreadPool.QueueUserWorkItem(_ => Step());

    private void Step()
    {
        // One step at a time, so two steps never both measure their jump from the same instant.
        lock (_stepping)
        {
            if (!_paused)
            {
                _clock.AdvanceToNextTimer(IsWait);
            }
        }
    }
}
