using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Kubernetes;

/// <summary>
/// A <see cref="ManualTimeProvider"/> that also tells a test when the code under test has started a
/// wait of a given length, so the test advances the clock only once the wait exists: no sleeps,
/// and no advancing past a timer that was not there yet.
/// </summary>
internal sealed class WatchedClock : TimeProvider
{
    private readonly ManualTimeProvider _clock = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<TimeSpan, int> _created = [];
    private readonly List<(TimeSpan Due, int Count, TaskCompletionSource Done)> _waiters = [];

    public override long TimestampFrequency => _clock.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => _clock.LocalTimeZone;

    public override DateTimeOffset GetUtcNow() => _clock.GetUtcNow();

    public override long GetTimestamp() => _clock.GetTimestamp();

    public void Advance(TimeSpan delta) => _clock.Advance(delta);

    /// <summary>How many timers of <paramref name="due"/> have been started so far.</summary>
    public int Started(TimeSpan due)
    {
        lock (_gate)
        {
            return _created.GetValueOrDefault(due);
        }
    }

    /// <summary>Completes once <paramref name="count"/> timers of <paramref name="due"/> have been started in all.</summary>
    public Task WaitForTimerAsync(TimeSpan due, int count = 1)
    {
        lock (_gate)
        {
            if (_created.GetValueOrDefault(due) >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((due, count, done));
            return done.Task;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = _clock.CreateTimer(callback, state, dueTime, period);
        lock (_gate)
        {
            var count = _created[dueTime] = _created.GetValueOrDefault(dueTime) + 1;
            foreach (var waiter in _waiters.Where(w => w.Due == dueTime && w.Count <= count).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Done.SetResult();
            }
        }

        return timer;
    }
}
