namespace VolumeDriver.Tests.TestSupport;

/// <summary>
/// One clock for a test's world, the code under test and a cloud double alike, on which the code's
/// waits cost no real time and its deadlines still hold. When the code starts a wait (a Task.Delay on
/// this provider: a task poll, a drain poll, a retry's backoff) the clock jumps to the earliest wait
/// pending and fires it, and with it whatever falls due on the way: the double's timers (a task that
/// runs for a while, on <see cref="Background"/>) and deadlines. Neither ever moves the clock itself:
/// a deadline (a CancellationTokenSource on this provider) armed around real I/O, such as a request's
/// 60 s, stays armed while the request is on its way, which <see cref="SkipAheadTimeProvider"/> cannot
/// promise (it fires every timer as soon as it is set), and a double's task ends exactly when the
/// code polling it has waited long enough, never while the code is busy with a request.
/// </summary>
/// <remarks>
/// Waits and deadlines are told apart by the timer's state: <c>new CancellationTokenSource(delay,
/// timeProvider)</c> and its CancelAfter create their timer with the source as its state, Task.Delay
/// with its own promise (pinned by SkipWaitsTimeProviderTests). Each wait started moves the clock once,
/// to the earliest wait pending, so with one actor the clock moves only while it waits. With two
/// actors it may move while one of them is busy; a test whose actors must act in an order (an old
/// node detaching while a new one waits) pauses the clock, lets each start waiting
/// (<see cref="WaitForTimerAsync"/>), and resumes it.
/// </remarks>
public sealed class SkipWaitsTimeProvider : TimeProvider
{
    private readonly ManualTimeProvider _clock = new();
    private readonly long _started;
    private readonly Lock _stepping = new();
    private bool _paused;
    private int _stepsOwed;

    public SkipWaitsTimeProvider()
    {
        _started = _clock.GetTimestamp();
    }

    /// <summary>
    /// The same clock for a double: its timers (a task's end, a token's expiry, latency) fire when the
    /// clock passes them and never move it.
    /// </summary>
    public TimeProvider Background => _clock;

    public override long TimestampFrequency => _clock.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => _clock.LocalTimeZone;

    /// <summary>How far the clock has moved in all: the time the world would have taken.</summary>
    public TimeSpan Elapsed => _clock.GetElapsedTime(_started);

    public override DateTimeOffset GetUtcNow() => _clock.GetUtcNow();

    public override long GetTimestamp() => _clock.GetTimestamp();

    /// <summary>Stops the clock: waits started meanwhile move it once <see cref="Resume"/> is called.</summary>
    public void Pause()
    {
        lock (_stepping)
        {
            _paused = true;
        }
    }

    /// <summary>Lets the clock move again, one step for each wait started while it stood still.</summary>
    public void Resume()
    {
        int owed;
        lock (_stepping)
        {
            _paused = false;
            owed = _stepsOwed;
            _stepsOwed = 0;
        }

        for (var i = 0; i < owed; i++)
        {
            ScheduleStep();
        }
    }

    /// <summary>Moves the clock by hand (e.g. to let a double's task end after the code stopped polling it), firing what falls due.</summary>
    public void Advance(TimeSpan delta)
    {
        lock (_stepping)
        {
            _clock.Advance(delta);
        }
    }

    /// <summary>Completes once a timer due <paramref name="dueTime"/> after it was set is pending, e.g. an actor's first poll.</summary>
    public Task WaitForTimerAsync(TimeSpan dueTime) => _clock.WaitForTimerAsync(dueTime);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (!IsWait(state))
        {
            return _clock.CreateTimer(callback, state, dueTime, period);
        }

        var timer = _clock.CreateTimer(wait => callback(((CodeWait)wait!).State), new CodeWait(state), dueTime, period);
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            ScheduleStep();
        }

        return timer;
    }

    /// <summary>Whether a timer with this state is a wait (which moves the clock) rather than a deadline.</summary>
    internal static bool IsWait(object? timerState) => timerState is not CancellationTokenSource;

    /// <summary>Off the caller's thread: the caller is still setting up the wait this step may end.</summary>
    private void ScheduleStep() => ThreadPool.QueueUserWorkItem(_ => Step());

    private void Step()
    {
        // One step at a time, so two steps never both measure their jump from the same instant.
        lock (_stepping)
        {
            if (_paused)
            {
                _stepsOwed++;
                return;
            }

            _clock.AdvanceToNextTimer(state => state is CodeWait);
        }
    }

    /// <summary>The state of a timer the code under test waits on, wrapping the state it gave.</summary>
    private sealed record CodeWait(object? State);
}
