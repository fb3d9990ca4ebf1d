using VolumeDriver.CloudCalls;
using VolumeDriver.Tests.Node;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.CloudCalls;

public sealed class RetryLoopTests : IDisposable
{
    private static readonly RetrySchedule FourAttempts = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8), maxAttempts: 4, maxElapsed: null);

    private readonly ManualTimeProvider _time = new();
    private readonly SignalingTimeProvider _clock;
    private readonly List<TimeSpan> _delays = [];

    public RetryLoopTests()
    {
        _clock = new SignalingTimeProvider(_time);
    }

    public void Dispose() => _clock.Dispose();

    [Fact]
    public async Task RunAsync_RetriedFailureThenSuccess_ReturnsTheResultAfterTheBackoff()
    {
        var calls = 0;
        var run = Loop(random: 0.5).RunAsync(FourAttempts, null, _ => ++calls < 3 ? throw Busy() : Task.FromResult("done"), a => a.Exception is CloudRequestException, null, Record, CancellationToken.None);

        await AdvanceUntilDone(run).WithTimeout();

        Assert.Equal("done", await run.WithTimeout());
        Assert.Equal(3, calls);
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)], _delays);
    }

    [Fact]
    public async Task RunAsync_AttemptsSpent_ThrowsTheLastFailureUnchanged()
    {
        var calls = 0;
        var run = Loop(random: 0.5).RunAsync<string>(FourAttempts, null, _ => throw Busy(++calls), a => a.Exception is CloudRequestException, null, Record, CancellationToken.None);

        await AdvanceUntilDone(run).WithTimeout();

        var e = await Assert.ThrowsAsync<CloudRequestException>(() => run.WithTimeout()).WithTimeout();
        Assert.Equal("4", e.ErrorCode);
        Assert.Equal(4, calls);
        Assert.Equal([1, 2, 4], _delays.Select(d => d.TotalSeconds));
    }

    [Fact]
    public async Task RunAsync_PredicateSaysNo_ThrowsAtOnceWithoutWaiting()
    {
        var calls = 0;
        var run = Loop(random: 0.5).RunAsync<string>(FourAttempts, null, _ => throw Busy(++calls), a => a.Exception is CloudRequestException { ErrorCode: "never" }, null, Record, CancellationToken.None);

        await Assert.ThrowsAsync<CloudRequestException>(() => run.WithTimeout()).WithTimeout();
        Assert.Equal(1, calls);
        Assert.Empty(_delays);
    }

    [Theory]
    [InlineData(0.0, 800)]
    [InlineData(0.5, 1000)]
    [InlineData(0.999, 1200)]
    public void Backoff_Jitter_SpreadsTwentyPercentEachWayByTheInjectedRandom(double random, int expectedMs)
    {
        var delay = FourAttempts.Backoff(1, random);

        Assert.Equal(expectedMs, (int)Math.Round(delay.TotalMilliseconds));
    }

    [Fact]
    public void Backoff_Doubles_UpToTheMaximumDelay()
    {
        Assert.Equal([1, 2, 4, 8, 8], Enumerable.Range(1, 5).Select(retry => FourAttempts.Backoff(retry, 0.5).TotalSeconds));
        Assert.Equal(8, FourAttempts.Backoff(1000, 0.999).TotalSeconds);
    }

    [Fact]
    public async Task RunAsync_ServiceGaveRetryAfter_WaitsThatInsteadOfTheBackoff()
    {
        var calls = 0;
        var run = Loop(random: 0.0).RunAsync(FourAttempts, null, _ => ++calls < 2 ? throw new CloudRequestException(CloudService.Arm, "GET x", 429, null, default, "throttled") { RetryAfter = TimeSpan.FromSeconds(5) } : Task.FromResult(1), a => a.Exception is not null, null, Record, CancellationToken.None);

        await AdvanceUntilDone(run).WithTimeout();

        Assert.Equal(1, await run.WithTimeout());
        Assert.Equal([TimeSpan.FromSeconds(5)], _delays);
    }

    [Fact]
    public async Task RunAsync_ResultAsksToBeRetried_PollsWithItsRetryAfterCappedAtTheMaximum()
    {
        var answers = new Queue<int>([202, 202, 200]);
        var policy = new RetrySchedule(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30), maxAttempts: null, maxElapsed: TimeSpan.FromMinutes(3));
        var run = Loop(random: 0.5).RunAsync(policy, null, _ => Task.FromResult(answers.Dequeue()), a => a.Result == 202, status => status == 202 ? TimeSpan.FromSeconds(_delays.Count == 0 ? 7 : 600) : null, Record, CancellationToken.None);

        await AdvanceUntilDone(run).WithTimeout();

        Assert.Equal(200, await run.WithTimeout());
        Assert.Equal([7, 30], _delays.Select(d => d.TotalSeconds));
    }

    [Fact]
    public async Task RunAsync_TimeBudget_StartsNoRetryThatWouldEndPastIt()
    {
        var policy = new RetrySchedule(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4), maxAttempts: null, maxElapsed: TimeSpan.FromSeconds(10));
        var calls = 0;
        var run = Loop(random: 0.5).RunAsync<string>(policy, null, _ => throw Busy(++calls), a => true, null, Record, CancellationToken.None);

        await AdvanceUntilDone(run).WithTimeout();

        await Assert.ThrowsAsync<CloudRequestException>(() => run.WithTimeout()).WithTimeout();
        // 1 + 2 + 4 = 7 s; the next 4 s would end at 11 s, past the 10 s budget.
        Assert.Equal([1, 2, 4], _delays.Select(d => d.TotalSeconds));
        Assert.Equal(4, calls);
    }

    [Fact]
    public async Task RunAsync_EnclosingDeadline_BoundsTheRetriesToo()
    {
        using var deadline = Deadline.Start("creating disk 'd'", TimeSpan.FromSeconds(5), _clock, CancellationToken.None);
        await _clock.WaitForTimerAsync(CancellationToken.None).WithTimeout();
        var calls = 0;
        var run = Loop(random: 0.5).RunAsync<string>(new RetrySchedule(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), null, TimeSpan.FromHours(1)), deadline, _ => throw Busy(++calls), a => true, null, Record, CancellationToken.None);

        await AdvanceUntilDone(run).WithTimeout();

        await Assert.ThrowsAsync<CloudRequestException>(() => run.WithTimeout()).WithTimeout();
        Assert.Equal([1, 2], _delays.Select(d => d.TotalSeconds));
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task RunAsync_CallerCancelsDuringTheWait_ThrowsOperationCanceledAndStops()
    {
        using var cancellation = new CancellationTokenSource();
        var calls = 0;
        var run = Loop(random: 0.5).RunAsync<string>(FourAttempts, null, _ => throw Busy(++calls), a => true, null, Record, cancellation.Token);
        await Task.WhenAny(run, _clock.WaitForTimerAsync(CancellationToken.None)).WithTimeout();

        await cancellation.CancelAsync().WithTimeout();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WithTimeout()).WithTimeout();
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task RunAsync_NoBudgetAtAll_IsRefusedBeforeTheFirstAttempt()
    {
        var unbounded = new RetrySchedule(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), maxAttempts: null, maxElapsed: null);
        using var infinite = Deadline.Start("forever", Timeout.InfiniteTimeSpan, _clock, CancellationToken.None);
        var calls = 0;

        await Assert.ThrowsAsync<ArgumentException>(() => Loop(0.5).RunAsync(unbounded, null, _ => Task.FromResult(++calls), a => true, null, null, CancellationToken.None).WithTimeout()).WithTimeout();
        await Assert.ThrowsAsync<ArgumentException>(() => Loop(0.5).RunAsync(unbounded, infinite, _ => Task.FromResult(++calls), a => true, null, null, CancellationToken.None).WithTimeout()).WithTimeout();
        Assert.Equal(0, calls);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetrySchedule(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(2), 3, null));
    }

    private RetryLoop Loop(double random) => new(_clock, () => random);

    private void Record<T>(RetryAttempt<T> attempt, TimeSpan delay) => _delays.Add(delay);

    private static CloudRequestException Busy(int attempt = 0) =>
        new(CloudService.VCloud, "POST /api/vApp/vm-1/disk/action/attach", 400, attempt.ToString(System.Globalization.CultureInfo.InvariantCulture), new CloudRequestIds("req-" + attempt), "busy");

    /// <summary>Each time the loop starts a wait, moves the fake clock to its end, until the run ends.</summary>
    private async Task AdvanceUntilDone(Task run)
    {
        for (var step = 0; step < 100 && !run.IsCompleted; step++)
        {
            await Task.WhenAny(run, _clock.WaitForTimerAsync(CancellationToken.None)).WithTimeout();
            if (!run.IsCompleted)
            {
                _time.Advance(_delays.Count > 0 ? _delays[^1] : TimeSpan.Zero);
            }
        }

        Assert.True(run.IsCompleted, "the retry loop did not finish while the fake clock advanced");
    }
}
