namespace VolumeDriver.Tests.TestSupport;

/// <summary>The test clock that jumps over waits and never over a deadline.</summary>
public sealed class SkipWaitsTimeProviderTests
{
    [Fact]
    public void TimerStates_TellADelayFromADeadline()
    {
        // The clock relies on how the runtime sets its timers: Task.Delay with its promise as the
        // state, a CancellationTokenSource (constructed with a delay, or CancelAfter) with itself.
        var recorder = new RecordingTimeProvider();
        using var stop = new CancellationTokenSource();

        _ = Task.Delay(TimeSpan.FromMinutes(1), recorder, stop.Token);
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1), recorder);
        using var later = new CancellationTokenSource(Timeout.InfiniteTimeSpan, recorder);
        later.CancelAfter(TimeSpan.FromMinutes(1));

        Assert.Equal([true, false, false], recorder.States.Select(SkipWaitsTimeProvider.IsWait));
        stop.Cancel();
    }

    [Fact]
    public async Task AWait_EndsAtOnce_AndTheClockMovesByItsLength()
    {
        var clock = new SkipWaitsTimeProvider();

        await Task.Delay(TimeSpan.FromHours(1), clock).WithTimeout();

        Assert.Equal(TimeSpan.FromHours(1), clock.Elapsed);
    }

    [Fact]
    public async Task ADeadline_FiresOnlyWhenAWaitTakesTheClockPastIt()
    {
        var clock = new SkipWaitsTimeProvider();
        using var beyond = new CancellationTokenSource(TimeSpan.FromSeconds(30), clock);
        using var within = new CancellationTokenSource(TimeSpan.FromSeconds(5), clock);

        await Task.Delay(TimeSpan.FromSeconds(10), clock).WithTimeout();

        Assert.True(within.IsCancellationRequested);
        Assert.False(beyond.IsCancellationRequested);
        Assert.Equal(TimeSpan.FromSeconds(10), clock.Elapsed);
    }

    [Fact]
    public async Task APausedClock_FiresNothing_UntilResumed()
    {
        var clock = new SkipWaitsTimeProvider();
        clock.Pause();

        var wait = Task.Delay(TimeSpan.FromSeconds(2), clock);
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(2)).WithTimeout();
        var stillWaiting = !wait.IsCompleted;
        clock.Resume();
        await wait.WithTimeout();

        Assert.True(stillWaiting);
        Assert.Equal(TimeSpan.FromSeconds(2), clock.Elapsed);
    }

    [Fact]
    public async Task TwoWaiters_WakeInTheOrderOfTheirTimes()
    {
        var clock = new SkipWaitsTimeProvider();
        clock.Pause();
        var woken = new List<string>();

        var slow = WakeAsync("slow", TimeSpan.FromSeconds(3));
        var fast = WakeAsync("fast", TimeSpan.FromSeconds(1));
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(3)).WithTimeout();
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(1)).WithTimeout();
        clock.Resume();
        await Task.WhenAll(slow, fast).WithTimeout();

        Assert.Equal(["fast", "slow"], woken);
        Assert.Equal(TimeSpan.FromSeconds(3), clock.Elapsed);

        async Task WakeAsync(string name, TimeSpan after)
        {
            await Task.Delay(after, clock).WithTimeout();
            lock (woken)
            {
                woken.Add(name);
            }
        }
    }

    /// <summary>Records the state of every timer set through it; the timers never fire.</summary>
    private sealed class RecordingTimeProvider : TimeProvider
    {
        private readonly ManualTimeProvider _clock = new();

        public List<object?> States { get; } = [];

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            States.Add(state);
            return _clock.CreateTimer(callback, state, dueTime, period);
        }
    }
}
