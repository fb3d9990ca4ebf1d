namespace VolumeDriver.CloudCalls;

/// <summary>
/// How one kind of call is retried: exponential backoff from <see cref="FirstDelay"/> to
/// <see cref="MaxDelay"/> with ±<see cref="Jitter"/> of random spread (so processes that failed
/// together do not retry together), within one budget: a number of attempts, a time, or both.
/// Which outcomes are worth retrying is the caller's one predicate (<see cref="RetryLoop"/>).
/// </summary>
internal sealed record RetrySchedule
{
    /// <param name="maxAttempts">Attempts in all, the first included; null for no limit.</param>
    /// <param name="maxElapsed">No retry starts whose delay would end later than this after the first attempt; null for no limit.</param>
    /// <remarks>A schedule with neither limit runs only under a <see cref="Deadline"/> (<see cref="RetryLoop"/> refuses it otherwise).</remarks>
    public RetrySchedule(TimeSpan firstDelay, TimeSpan maxDelay, int? maxAttempts, TimeSpan? maxElapsed, double jitter = DefaultJitter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(firstDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDelay, firstDelay);
        if (maxAttempts is { } attempts)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
        }

        ArgumentOutOfRangeException.ThrowIfNegative(jitter);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(jitter, 1.0);
        FirstDelay = firstDelay;
        MaxDelay = maxDelay;
        MaxAttempts = maxAttempts;
        MaxElapsed = maxElapsed;
        Jitter = jitter;
    }

    public const double DefaultJitter = 0.2;

    public TimeSpan FirstDelay { get; }

    public TimeSpan MaxDelay { get; }

    public int? MaxAttempts { get; }

    public TimeSpan? MaxElapsed { get; }

    /// <summary>Whether the schedule limits the retries by itself, without an enclosing deadline.</summary>
    public bool HasBudget => MaxAttempts is not null || MaxElapsed is not null;

    /// <summary>The spread around each backoff delay, as a fraction of it (0.2: from 80 % to 120 %).</summary>
    public double Jitter { get; }

    /// <summary>
    /// The delay before retry number <paramref name="retry"/> (1 for the first retry): the backoff,
    /// spread by <paramref name="random"/> (a sample in [0, 1)), at most <see cref="MaxDelay"/>.
    /// </summary>
    public TimeSpan Backoff(int retry, double random)
    {
        var backoff = FirstDelay.Ticks * Math.Pow(2, Math.Min(retry - 1, 62));
        var capped = Math.Min(backoff, MaxDelay.Ticks);
        var spread = capped * (1 + (Jitter * ((2 * random) - 1)));
        return TimeSpan.FromTicks((long)Math.Clamp(spread, 0, MaxDelay.Ticks));
    }
}
