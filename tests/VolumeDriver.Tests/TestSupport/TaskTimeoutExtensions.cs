namespace VolumeDriver.Tests.TestSupport;

/// <summary>
/// Puts a time limit on awaits in tests, so a hang fails the test instead of stalling the run. Every
/// await in the tests ends in one of these (Architecture/AwaitTimeLimitTests checks it).
/// </summary>
public static class TaskTimeoutExtensions
{
    public static readonly TimeSpan DefaultLimit = TimeSpan.FromSeconds(60);

    public static Task WithTimeout(this Task task, TimeSpan? limit = null) => task.WaitAsync(limit ?? DefaultLimit);

    public static Task<T> WithTimeout<T>(this Task<T> task, TimeSpan? limit = null) => task.WaitAsync(limit ?? DefaultLimit);

    public static Task WithTimeout(this ValueTask task, TimeSpan? limit = null) => task.AsTask().WaitAsync(limit ?? DefaultLimit);

    public static Task<T> WithTimeout<T>(this ValueTask<T> task, TimeSpan? limit = null) => task.AsTask().WaitAsync(limit ?? DefaultLimit);
}
