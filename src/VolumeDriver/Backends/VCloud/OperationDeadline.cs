namespace VolumeDriver.Backends.VCloud;

/// <summary>When one cloud operation (its requests, retries and task polls together) must be done.</summary>
/// <param name="At">The moment it runs out.</param>
/// <param name="Budget">The whole time it was given, for messages.</param>
internal readonly record struct OperationDeadline(DateTimeOffset At, TimeSpan Budget)
{
    public static OperationDeadline StartingNow(TimeProvider timeProvider, TimeSpan budget) => new(timeProvider.GetUtcNow() + budget, budget);
}
