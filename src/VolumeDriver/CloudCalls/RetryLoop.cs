namespace VolumeDriver.CloudCalls;

/// <summary>
/// The one retry loop: runs an attempt, asks the caller's predicate whether its outcome (a result or
/// an exception) is worth another, and waits on the injected <see cref="TimeProvider"/> before it:
/// the service's Retry-After when it gave one (a <see cref="CloudRequestException.RetryAfter"/>, or
/// what <c>serverDelay</c> reads from a result), else the schedule's jittered backoff. No retry starts
/// whose delay would end past the budget (the schedule's attempts and time, and the enclosing
/// <see cref="Deadline"/>'s remaining time). When the budget is spent the last outcome stands: its
/// exception propagates unchanged, or its result is returned for the caller to judge.
/// </summary>
internal sealed class RetryLoop
{
    private readonly TimeProvider _timeProvider;
    private readonly Func<double> _random;

    /// <param name="random">Samples in [0, 1) for jitter; tests pass a fixed one.</param>
    public RetryLoop(TimeProvider timeProvider, Func<double>? random = null)
    {
        _timeProvider = timeProvider;
        _random = random ?? Random.Shared.NextDouble;
    }

    /// <param name="deadline">An enclosing deadline whose remaining time also bounds the retries, or null.</param>
    /// <param name="shouldRetry">The one predicate: is this outcome worth another attempt? Caller cancellation is never retried.</param>
    /// <param name="serverDelay">The delay a result asks for (a 202's Retry-After), or null to read only exceptions'.</param>
    /// <param name="onRetry">Called before each wait with the outcome and the delay, for the caller's log line.</param>
    public async Task<T> RunAsync<T>(
        RetrySchedule schedule,
        Deadline? deadline,
        Func<CancellationToken, Task<T>> attempt,
        Func<RetryAttempt<T>, bool> shouldRetry,
        Func<T, TimeSpan?>? serverDelay,
        Action<RetryAttempt<T>, TimeSpan>? onRetry,
        CancellationToken cancellationToken)
    {
        if (!schedule.HasBudget && (deadline is null || deadline.Budget == Timeout.InfiniteTimeSpan))
        {
            throw new ArgumentException("a retry needs a budget: the schedule's attempts or time, or a finite deadline", nameof(schedule));
        }

        var started = _timeProvider.GetTimestamp();
        for (var number = 1; ; number++)
        {
            T result;
            RetryAttempt<T> failed = default;
            var delay = TimeSpan.Zero;
            try
            {
                result = await attempt(cancellationToken);
            }
            catch (Exception e) when (!IsCallerCancellation(e, cancellationToken)
                && Plan(schedule, deadline, failed = new RetryAttempt<T>(number, default, e, _timeProvider.GetElapsedTime(started)), shouldRetry, (e as CloudRequestException)?.RetryAfter, out delay))
            {
                onRetry?.Invoke(failed, delay);
                await Task.Delay(delay, _timeProvider, cancellationToken);
                continue;
            }

            var outcome = new RetryAttempt<T>(number, result, null, _timeProvider.GetElapsedTime(started));
            if (!Plan(schedule, deadline, outcome, shouldRetry, serverDelay?.Invoke(result), out delay))
            {
                return result;
            }

            onRetry?.Invoke(outcome, delay);
            await Task.Delay(delay, _timeProvider, cancellationToken);
        }
    }

    /// <summary>Whether to retry <paramref name="outcome"/>, and after how long.</summary>
    private bool Plan<T>(RetrySchedule schedule, Deadline? deadline, RetryAttempt<T> outcome, Func<RetryAttempt<T>, bool> shouldRetry, TimeSpan? asked, out TimeSpan delay)
    {
        delay = TimeSpan.Zero;
        if (schedule.MaxAttempts is { } attempts && outcome.Number >= attempts)
        {
            return false;
        }

        if (!shouldRetry(outcome))
        {
            return false;
        }

        delay = asked is { } serverAsked
            ? (serverAsked < schedule.MaxDelay ? serverAsked : schedule.MaxDelay)
            : schedule.Backoff(outcome.Number, _random());
        if (schedule.MaxElapsed is { } budget && outcome.Elapsed + delay > budget)
        {
            return false;
        }

        return deadline is null || delay < deadline.Remaining;
    }

    private static bool IsCallerCancellation(Exception e, CancellationToken cancellationToken) =>
        e is OperationCanceledException && cancellationToken.IsCancellationRequested;
}
