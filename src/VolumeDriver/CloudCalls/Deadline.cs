using VolumeDriver.Errors;

namespace VolumeDriver.CloudCalls;

/// <summary>
/// One operation's deadline on the injected <see cref="TimeProvider"/>, as a token linked to the
/// caller's, that remembers what it is for. Work under it takes <see cref="Token"/>; when that work
/// ends in <see cref="OperationCanceledException"/> because this deadline fired (not because the
/// caller cancelled), <see cref="RunAsync{T}"/> turns it into a <see cref="DeadlineExceededException"/>
/// naming <see cref="Operation"/> and <see cref="Budget"/> ("the vCloud request GET /api/versions did
/// not finish within 60 s"), as Tmds.Ssh's connect does; the caller's own cancellation passes through
/// unchanged. An infinite budget never fires.
/// </summary>
internal sealed class Deadline : IDisposable
{
    private readonly TimeProvider _timeProvider;
    private readonly CancellationTokenSource _timer;
    private readonly CancellationTokenSource _linked;
    private readonly CancellationToken _caller;
    private readonly long _started;

    private Deadline(string operation, TimeSpan budget, TimeProvider timeProvider, CancellationToken caller)
    {
        Operation = operation;
        Budget = budget;
        _timeProvider = timeProvider;
        _caller = caller;
        _started = timeProvider.GetTimestamp();
        _timer = new CancellationTokenSource(budget, timeProvider);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(caller, _timer.Token);
    }

    /// <summary>Starts the clock now.</summary>
    /// <param name="operation">What the deadline is for, as the Failure names it: "the vCloud request GET /api/versions".</param>
    /// <param name="budget">How long it may take; <see cref="Timeout.InfiniteTimeSpan"/> for no limit.</param>
    public static Deadline Start(string operation, TimeSpan budget, TimeProvider timeProvider, CancellationToken cancellationToken) =>
        new(operation, budget, timeProvider, cancellationToken);

    public string Operation { get; }

    public TimeSpan Budget { get; }

    /// <summary>Cancelled when the deadline fires or the caller cancels.</summary>
    public CancellationToken Token => _linked.Token;

    /// <summary>This deadline fired (whatever the caller did).</summary>
    public bool Expired => _timer.IsCancellationRequested;

    public TimeSpan Elapsed => _timeProvider.GetElapsedTime(_started);

    /// <summary>Time left; <see cref="TimeSpan.MaxValue"/> for an infinite budget, zero once past.</summary>
    public TimeSpan Remaining => Budget == Timeout.InfiniteTimeSpan
        ? TimeSpan.MaxValue
        : Budget - Elapsed is var left && left > TimeSpan.Zero && !Expired ? left : TimeSpan.Zero;

    /// <summary>
    /// Whether <paramref name="exception"/> is this deadline's doing: a cancellation while this deadline
    /// has fired and the caller has not cancelled. (HttpClient wraps it in TaskCanceledException.)
    /// </summary>
    public bool Caused(Exception exception) =>
        exception is OperationCanceledException && Expired && !_caller.IsCancellationRequested;

    /// <summary>The Failure for this deadline, with what was still going on when it fired.</summary>
    public DeadlineExceededException Exceeded(string? detail = null, Exception? innerException = null) =>
        new(Operation, Budget, detail, innerException);

    /// <summary>Runs <paramref name="work"/> with <see cref="Token"/>; this deadline's cancellation becomes <see cref="Exceeded"/>.</summary>
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, string? detail = null)
    {
        try
        {
            return await work(Token);
        }
        catch (Exception e) when (Caused(e))
        {
            throw Exceeded(detail, e);
        }
    }

    public void Dispose()
    {
        _linked.Dispose();
        _timer.Dispose();
    }
}
