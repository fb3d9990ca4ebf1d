namespace VolumeDriver.Tests.TestSupport;

/// <summary>
/// A TimeProvider whose clock moves only when a test calls <see cref="Advance"/>; timers fire
/// synchronously inside Advance. Modelled on Microsoft.Extensions.Time.Testing.FakeTimeProvider,
/// which is not on our package source.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private readonly List<(TimeSpan DueTime, TaskCompletionSource Armed)> _timerWaiters = [];
    private DateTimeOffset _now;
    private long _timestamp;

    public ManualTimeProvider(DateTimeOffset? start = null)
    {
        _now = start ?? new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override long GetTimestamp()
    {
        lock (_gate)
        {
            return _timestamp;
        }
    }

    /// <summary>Moves the clock forward and fires every timer that falls due, in order.</summary>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        DateTimeOffset target;
        lock (_gate)
        {
            target = _now + delta;
        }

        while (true)
        {
            ManualTimer? due;
            lock (_gate)
            {
                due = _timers.Where(t => t.DueAt <= target).OrderBy(t => t.DueAt).FirstOrDefault();
                var moveTo = due?.DueAt ?? target;
                if (moveTo > _now)
                {
                    _timestamp += (moveTo - _now).Ticks;
                    _now = moveTo;
                }

                if (due is null)
                {
                    return;
                }

                due.Reschedule();
            }

            due.Fire();
        }
    }

    /// <summary>Moves the clock to the earliest pending timer and fires it; false when no timer is pending.</summary>
    public bool AdvanceToNextTimer() => AdvanceToNextTimer(_ => true);

    /// <summary>
    /// Moves the clock to the earliest pending timer whose state (the object given to CreateTimer)
    /// <paramref name="select"/> accepts, firing it and every timer due before it, in order; false
    /// when no such timer is pending.
    /// </summary>
    public bool AdvanceToNextTimer(Func<object?, bool> select)
    {
        TimeSpan step;
        lock (_gate)
        {
            var selected = _timers.Where(t => select(t.State)).ToList();
            if (selected.Count == 0)
            {
                return false;
            }

            var due = selected.Min(t => t.DueAt);
            step = due > _now ? due - _now : TimeSpan.Zero;
        }

        Advance(step);
        return true;
    }

    /// <summary>
    /// Completes once a timer due <paramref name="dueTime"/> after it was set is pending (one set
    /// earlier and not yet fired counts), so a test moves the clock only once the code under test
    /// waits on it, e.g. for the first poll of a drain wait.
    /// </summary>
    public Task WaitForTimerAsync(TimeSpan dueTime)
    {
        lock (_gate)
        {
            if (_timers.Any(t => t.DueTime == dueTime))
            {
                return Task.CompletedTask;
            }

            var armed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _timerWaiters.Add((dueTime, armed));
            return armed.Task;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class ManualTimer : ITimer
    {
        private readonly ManualTimeProvider _owner;
        private readonly TimerCallback _callback;
        private readonly object? _state;
        private TimeSpan _period;

        public ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state)
        {
            _owner = owner;
            _callback = callback;
            _state = state;
        }

        public DateTimeOffset DueAt { get; private set; }

        public object? State => _state;

        /// <summary>How long after it was last set the timer falls due.</summary>
        public TimeSpan DueTime { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (_owner._gate)
            {
                _owner._timers.Remove(this);
                _period = period;
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    return true;
                }

                DueAt = _owner._now + dueTime;
                DueTime = dueTime;
                _owner._timers.Add(this);
                foreach (var waiter in _owner._timerWaiters.Where(w => w.DueTime == dueTime).ToList())
                {
                    _owner._timerWaiters.Remove(waiter);
                    waiter.Armed.SetResult();
                }

                return true;
            }
        }

        /// <summary>Called under the owner's lock: drops a one-shot timer or moves a periodic one on.</summary>
        public void Reschedule()
        {
            _owner._timers.Remove(this);
            if (_period > TimeSpan.Zero && _period != Timeout.InfiniteTimeSpan)
            {
                DueAt += _period;
                _owner._timers.Add(this);
            }
        }

        public void Fire() => _callback(_state);

        public void Dispose()
        {
            lock (_owner._gate)
            {
                _owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
