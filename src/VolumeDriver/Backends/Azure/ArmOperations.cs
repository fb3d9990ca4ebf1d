using Azure;

namespace VolumeDriver.Backends.Azure;

/// <summary>
/// Waits for ARM long-running operations on the injected <see cref="TimeProvider"/>. The SDK's own
/// wait (<c>WaitUntil.Completed</c>, <c>WaitForCompletionAsync</c>) sleeps with <c>Task.Delay</c> on
/// the system clock and takes no TimeProvider, so every operation is started with
/// <c>WaitUntil.Started</c> and handed here. The polls are the SDK's own
/// (<see cref="Operation.UpdateStatusAsync"/>: the same status URL, the same final GET, and for a
/// failed operation the same <see cref="RequestFailedException"/>); only the waits between them
/// move to the injected clock, by the rule Azure.Core applies to management-plane operations:
/// <list type="bullet">
/// <item>Polling starts at once: OperationPoller (sdk/core/Azure.Core/src/Shared/OperationPoller.cs)
/// polls, and waits only while the operation has not completed.</item>
/// <item>Its fallback is the SequentialDelayStrategy that ComputeArmOperation hands OperationInternal
/// (sdk/core/Azure.Core/src/Shared/SequentialDelayStrategy.cs): 1, 1, 1, 2, 4, 8, 16, then 32 s for
/// every later poll, with no jitter.</item>
/// <item>DelayStrategy.GetNextDelay (sdk/core/Azure.Core/src/DelayStrategy.cs) waits the longer of that
/// and the delay the last poll's response asks for (<see cref="ArmServerDelay"/>): the server's
/// value is a floor, not a replacement, and is not capped.</item>
/// </list>
/// Checked against the shipped Azure.Core 1.65.0 and Azure.ResourceManager.Compute 1.19.0.
/// </summary>
internal static class ArmOperations
{
    private static readonly TimeSpan[] PollingSequence =
        [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(16), TimeSpan.FromSeconds(32)];

    /// <summary>Polls a started operation until it completes; returns its result, or raises the SDK's exception for a failed one.</summary>
    public static async Task<T> WaitForCompletionAsync<T>(Operation<T> operation, TimeProvider timeProvider, CancellationToken cancellationToken)
        where T : notnull
    {
        await PollAsync(operation, timeProvider, cancellationToken);
        return operation.Value;
    }

    /// <summary>Polls a started operation without a result (a delete) until it completes; returns its last response, or raises the SDK's exception for a failed one.</summary>
    public static async Task<Response> WaitForCompletionAsync(Operation operation, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        await PollAsync(operation, timeProvider, cancellationToken);
        return operation.GetRawResponse();
    }

    /// <summary>
    /// The wait after poll number <paramref name="poll"/> (1 for the first) whose answer was
    /// <paramref name="lastPoll"/>: the fallback sequence's step, or the server's delay when longer.
    /// </summary>
    public static TimeSpan PollDelay(Response lastPoll, int poll, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(poll, 1);
        var fallback = PollingSequence[Math.Min(poll, PollingSequence.Length) - 1];
        return ArmServerDelay.Of(lastPoll, now) is { } asked && asked > fallback ? asked : fallback;
    }

    private static async Task PollAsync(Operation operation, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        for (var poll = 1; ; poll++)
        {
            var response = await operation.UpdateStatusAsync(cancellationToken);
            if (operation.HasCompleted)
            {
                return;
            }

            await Task.Delay(PollDelay(response, poll, timeProvider.GetUtcNow()), timeProvider, cancellationToken);
        }
    }
}
