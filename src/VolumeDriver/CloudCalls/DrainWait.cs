namespace VolumeDriver.CloudCalls;

/// <summary>
/// The drain race's wait, the same for every backend: kubelet on the new node attaches before the old
/// node has detached, so poll until the other holder lets go or the configured wait is over. Polls
/// every <see cref="Poll"/> on the injected <see cref="TimeProvider"/>, the last one exactly at the
/// end of the wait. Never breaks anything itself: what happens after a timeout is the caller's policy.
/// </summary>
internal sealed class DrainWait
{
    public static readonly TimeSpan DefaultPoll = TimeSpan.FromSeconds(2);

    private readonly TimeProvider _timeProvider;

    public DrainWait(TimeProvider timeProvider, TimeSpan? poll = null)
    {
        _timeProvider = timeProvider;
        Poll = poll ?? DefaultPoll;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Poll, TimeSpan.Zero);
    }

    public TimeSpan Poll { get; }

    /// <summary>
    /// Waits, then asks <paramref name="released"/>, until it answers true (returns true) or
    /// <paramref name="wait"/> has passed since the call (returns false). The caller has already seen
    /// the disk held, so the first question comes after the first poll interval.
    /// </summary>
    public async Task<bool> UntilReleasedAsync(TimeSpan wait, Func<CancellationToken, Task<bool>> released, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        while (_timeProvider.GetElapsedTime(started) is var elapsed && elapsed < wait)
        {
            var remaining = wait - elapsed;
            await Task.Delay(remaining < Poll ? remaining : Poll, _timeProvider, cancellationToken);
            if (await released(cancellationToken))
            {
                return true;
            }
        }

        return false;
    }
}
