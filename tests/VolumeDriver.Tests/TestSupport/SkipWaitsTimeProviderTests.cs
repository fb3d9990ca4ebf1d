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
    public async Task WaitsEnd_InTheOrderOfTheirTimes_EachAtItsOwnTime()
    {
        var clock = new SkipWaitsTimeProvider();
        clock.Pause();
        var ended = new List<(string Name, TimeSpan At)>();
        var bothEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        using var slow = clock.CreateTimer(_ => Record("slow"), null, TimeSpan.FromSeconds(3), Timeout.InfiniteTimeSpan);
        using var fast = clock.CreateTimer(_ => Record("fast"), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        clock.Resume();
        await bothEnded.Task.WithTimeout();

        Assert.Equal([("fast", TimeSpan.FromSeconds(1)), ("slow", TimeSpan.FromSeconds(3))], ended);

        void Record(string name)
        {
            ended.Add((name, clock.Elapsed));
            if (ended.Count == 2)
            {
                bothEnded.SetResult();
            }
        }
    }

    [Fact]
    public async Task ABackgroundTimer_NeverMovesTheClock_ButFiresWhenAWaitTakesItPast()
    {
        var clock = new SkipWaitsTimeProvider();
        var within = Task.Delay(TimeSpan.FromSeconds(1), clock.Background);
        var beyond = Task.Delay(TimeSpan.FromSeconds(5), clock.Background);

        await Task.Delay(TimeSpan.FromSeconds(2), clock).WithTimeout();
        await within.WithTimeout();

        Assert.False(beyond.IsCompleted);
        Assert.Equal(TimeSpan.FromSeconds(2), clock.Elapsed);
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
