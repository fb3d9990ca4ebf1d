using VolumeDriver.CloudCalls;
using VolumeDriver.Tests.Node;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.CloudCalls;

public sealed class DrainWaitTests : IDisposable
{
    private readonly ManualTimeProvider _time = new();
    private readonly SignalingTimeProvider _clock;
    private readonly List<TimeSpan> _asked = [];

    public DrainWaitTests()
    {
        _clock = new SignalingTimeProvider(_time);
    }

    public void Dispose() => _clock.Dispose();

    [Fact]
    public async Task UntilReleasedAsync_ReleasedOnTheThirdPoll_ReturnsTrueAfterThreePolls()
    {
        var wait = new DrainWait(_clock).UntilReleasedAsync(TimeSpan.FromSeconds(30), Released(afterPolls: 3), CancellationToken.None);

        await AdvanceUntilDone(wait).WithTimeout();

        Assert.True(await wait.WithTimeout());
        Assert.Equal([2, 4, 6], _asked.Select(t => t.TotalSeconds));
    }

    [Fact]
    public async Task UntilReleasedAsync_NeverReleased_ReturnsFalseWithTheLastPollAtTheEndOfTheWait()
    {
        var wait = new DrainWait(_clock).UntilReleasedAsync(TimeSpan.FromSeconds(5), Released(afterPolls: int.MaxValue), CancellationToken.None);

        await AdvanceUntilDone(wait).WithTimeout();

        Assert.False(await wait.WithTimeout());
        Assert.Equal([2, 4, 5], _asked.Select(t => t.TotalSeconds));
    }

    [Fact]
    public async Task UntilReleasedAsync_ZeroWait_AsksNothing()
    {
        Assert.False(await new DrainWait(_clock).UntilReleasedAsync(TimeSpan.Zero, Released(1), CancellationToken.None).WithTimeout());
        Assert.Empty(_asked);
    }

    [Fact]
    public async Task UntilReleasedAsync_Cancelled_ThrowsOperationCanceled()
    {
        using var cancellation = new CancellationTokenSource();
        var wait = new DrainWait(_clock).UntilReleasedAsync(TimeSpan.FromSeconds(30), Released(int.MaxValue), cancellation.Token);
        await _clock.WaitForTimerAsync(CancellationToken.None).WithTimeout();

        await cancellation.CancelAsync().WithTimeout();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WithTimeout()).WithTimeout();
    }

    private Func<CancellationToken, Task<bool>> Released(int afterPolls)
    {
        var started = _time.GetTimestamp();
        return _ =>
        {
            _asked.Add(_time.GetElapsedTime(started));
            return Task.FromResult(_asked.Count >= afterPolls);
        };
    }

    private async Task AdvanceUntilDone(Task wait)
    {
        for (var step = 0; step < 100 && !wait.IsCompleted; step++)
        {
            await Task.WhenAny(wait, _clock.WaitForTimerAsync(CancellationToken.None)).WithTimeout();
            if (!wait.IsCompleted)
            {
                _time.Advance(DrainWait.DefaultPoll);
            }
        }

        Assert.True(wait.IsCompleted, "the drain wait did not finish while the fake clock advanced");
    }
}
