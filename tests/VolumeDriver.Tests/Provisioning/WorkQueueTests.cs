using System.Collections.Concurrent;
using VolumeDriver.Provisioning;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Provisioning;

public sealed class WorkQueueTests
{
    [Fact]
    public async Task Add_SameKeyTwiceBeforeItRuns_RunsItOnce()
    {
        using var queue = new WorkQueue(new ManualTimeProvider());
        queue.Add("claim/a");
        queue.Add("claim/a");
        queue.Add("claim/b");
        var seen = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();

        var running = queue.RunAsync(2, (key, _) =>
        {
            seen.Enqueue(key);
            if (seen.Count == 2)
            {
                stop.Cancel();
            }

            return Task.CompletedTask;
        }, stop.Token);
        await running.WithTimeout();

        Assert.Equal(["claim/a", "claim/b"], seen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Add_WhileTheKeyIsWorkedOn_NeverRunsItTwiceAtOnceButRunsItAgainAfter()
    {
        using var queue = new WorkQueue(new ManualTimeProvider());
        var firstStarted = new TaskCompletionSource();
        var releaseFirst = new TaskCompletionSource();
        var runs = 0;
        var concurrent = 0;
        var maxConcurrent = 0;
        using var stop = new CancellationTokenSource();
        queue.Add("claim/a");

        var running = queue.RunAsync(4, async (_, _) =>
        {
            var now = Interlocked.Increment(ref concurrent);
            InterlockedMax(ref maxConcurrent, now);
            var run = Interlocked.Increment(ref runs);
            if (run == 1)
            {
                firstStarted.SetResult();
                await releaseFirst.Task.WithTimeout();
            }
            else
            {
                stop.Cancel();
            }

            Interlocked.Decrement(ref concurrent);
        }, stop.Token);

        await firstStarted.Task.WithTimeout();
        queue.Add("claim/a");
        queue.Add("claim/a");
        Assert.Equal(1, Volatile.Read(ref runs));
        releaseFirst.SetResult();
        await running.WithTimeout();

        Assert.Equal(2, runs);
        Assert.Equal(1, maxConcurrent);
    }

    [Fact]
    public async Task Retry_BacksOffExponentiallyOnTheInjectedClockUpToTheCap()
    {
        var clock = new ManualTimeProvider();
        using var queue = new WorkQueue(clock);
        var runs = 0;
        var delays = new List<TimeSpan>();
        using var stop = new CancellationTokenSource();
        var ranAgain = new SemaphoreSlim(0);
        queue.Add("volume/pvc-1");

        var running = queue.RunAsync(1, (key, _) =>
        {
            runs++;
            delays.Add(queue.Retry(key));
            ranAgain.Release();
            return Task.CompletedTask;
        }, stop.Token);

        await ranAgain.WaitAsync().WithTimeout();
        foreach (var _ in Enumerable.Range(0, 3))
        {
            clock.Advance(delays[^1] - TimeSpan.FromMilliseconds(1));
            Assert.Equal(delays.Count, runs);
            clock.Advance(TimeSpan.FromMilliseconds(1));
            await ranAgain.WaitAsync().WithTimeout();
        }

        stop.Cancel();
        await running.WithTimeout();
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8)], delays);
        Assert.Equal(WorkQueue.MaxDelay, WorkQueue.DelayAfter(20));
        Assert.Equal(WorkQueue.MaxDelay, WorkQueue.DelayAfter(int.MaxValue));
    }

    [Fact]
    public void Forget_AfterFailures_StartsTheBackoffOver()
    {
        using var queue = new WorkQueue(new ManualTimeProvider());

        Assert.Equal(TimeSpan.FromSeconds(1), queue.Retry("k"));
        Assert.Equal(TimeSpan.FromSeconds(2), queue.Retry("k"));
        queue.Forget("k");
        Assert.Equal(TimeSpan.FromSeconds(1), queue.Retry("k"));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
