namespace VolumeDriver.Tests.Node;

/// <summary>
/// Wraps a fake clock and signals every timer created through it, so a test can advance time
/// exactly when the code under test has started waiting instead of guessing with real delays.
/// </summary>
internal sealed class SignalingTimeProvider : TimeProvider, IDisposable
{
    private readonly TimeProvider _inner;
    private readonly SemaphoreSlim _timersCreated = new(0);

    public SignalingTimeProvider(TimeProvider inner)
    {
        _inner = inner;
    }

    public override long TimestampFrequency => _inner.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => _inner.LocalTimeZone;

    public override DateTimeOffset GetUtcNow() => _inner.GetUtcNow();

    public override long GetTimestamp() => _inner.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = _inner.CreateTimer(callback, state, dueTime, period);
        _timersCreated.Release();
        return timer;
    }

    public void Dispose() => _timersCreated.Dispose();

    /// <summary>Completes when a timer has been created (one completion per timer).</summary>
    public Task WaitForTimerAsync(CancellationToken cancellationToken) => _timersCreated.WaitAsync(cancellationToken);
}
