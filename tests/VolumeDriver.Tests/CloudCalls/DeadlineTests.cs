using VolumeDriver.CloudCalls;
using VolumeDriver.Errors;
using VolumeDriver.Tests.Node;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.CloudCalls;

public sealed class DeadlineTests : IDisposable
{
    private readonly ManualTimeProvider _time = new();
    private readonly SignalingTimeProvider _clock;

    public DeadlineTests()
    {
        _clock = new SignalingTimeProvider(_time);
    }

    public void Dispose() => _clock.Dispose();

    [Fact]
    public async Task RunAsync_DeadlineFires_ThrowsDeadlineExceededNamingTheOperationAndBudget()
    {
        using var deadline = Deadline.Start("the vCloud request GET /api/versions", TimeSpan.FromSeconds(60), _clock, CancellationToken.None);
        var hang = deadline.RunAsync<int>(async token =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, token).WithTimeout();
            return 1;
        });

        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.False(hang.IsCompleted);
        Assert.False(deadline.Expired);
        _time.Advance(TimeSpan.FromSeconds(1));

        var e = await Assert.ThrowsAsync<DeadlineExceededException>(() => hang.WithTimeout()).WithTimeout();
        Assert.Equal("the vCloud request GET /api/versions did not finish within 60 s.", e.Message);
        Assert.Equal(TimeSpan.FromSeconds(60), e.Budget);
        Assert.IsAssignableFrom<OperationCanceledException>(e.InnerException);
        Assert.True(deadline.Expired);
        Assert.Equal(TimeSpan.Zero, deadline.Remaining);
    }

    [Fact]
    public async Task RunAsync_CallerCancels_PassesTheCancellationThroughUnchanged()
    {
        using var caller = new CancellationTokenSource();
        using var deadline = Deadline.Start("waiting for the lock of VM 'n1'", TimeSpan.FromSeconds(60), _clock, caller.Token);
        var hang = deadline.RunAsync<int>(async token =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, token).WithTimeout();
            return 1;
        });

        await caller.CancelAsync().WithTimeout();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => hang.WithTimeout()).WithTimeout();
        Assert.False(deadline.Expired);
    }

    [Fact]
    public async Task RunAsync_WorkFinishesInTime_ReturnsItsResult()
    {
        using var deadline = Deadline.Start("x", TimeSpan.FromSeconds(5), _clock, CancellationToken.None);

        Assert.Equal(7, await deadline.RunAsync(_ => Task.FromResult(7)).WithTimeout());
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(TimeSpan.FromSeconds(3), deadline.Remaining);
    }

    [Fact]
    public void Infinite_NeverFires()
    {
        using var deadline = Deadline.Start("waiting in etcd's lock queue", Timeout.InfiniteTimeSpan, _clock, CancellationToken.None);

        _time.Advance(TimeSpan.FromDays(400));

        Assert.False(deadline.Token.IsCancellationRequested);
        Assert.Equal(TimeSpan.MaxValue, deadline.Remaining);
    }

    [Fact]
    public async Task RunAsync_OtherException_PropagatesUnchanged()
    {
        using var deadline = Deadline.Start("x", TimeSpan.FromSeconds(5), _clock, CancellationToken.None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => deadline.RunAsync<int>(_ => throw new InvalidOperationException("no")).WithTimeout()).WithTimeout();
    }
}
