using Azure.Core;
using Azure.Core.Pipeline;
using VolumeDriver.CloudCalls;

namespace VolumeDriver.Backends.Azure;

/// <summary>
/// The one retry layer of the ARM pipelines, in place of Azure.Core's <see cref="RetryPolicy"/>, whose
/// waits run on the system clock and cannot be moved: the same decisions (the response classifier's
/// retriable statuses and exceptions; Azure.Core's ARM defaults of 3 retries, exponential backoff from
/// 0.8 s to at most 1 min) made by the kit's <see cref="RetryLoop"/>, so every wait runs on the
/// injected <see cref="TimeProvider"/>. A delay the service asks for (retry-after-ms,
/// x-ms-retry-after-ms, or Retry-After in seconds or as an HTTP date) is waited instead of the
/// backoff, up to the schedule's longest delay, as the kit does for every cloud. The Blob pipelines
/// use it too, with Azure.Storage's schedule (<see cref="Blob.PageBlobStore.DefaultRetries"/>): the
/// classifier it asks is the message's, so there it is Azure.Storage's.
/// </summary>
internal sealed class ArmRetryPolicy : HttpPipelinePolicy
{
    /// <summary>Azure.Core's defaults (RetryOptions): MaxRetries 3, Delay 0.8 s, MaxDelay 1 min, exponential, ±20 % jitter.</summary>
    public static readonly RetrySchedule DefaultSchedule = new(TimeSpan.FromSeconds(0.8), TimeSpan.FromMinutes(1), maxAttempts: 4, maxElapsed: null);

    private readonly TimeProvider _timeProvider;
    private readonly RetrySchedule _schedule;
    private readonly RetryLoop _loop;

    /// <param name="random">Samples in [0, 1) for the backoff's jitter; tests pass a fixed one.</param>
    public ArmRetryPolicy(TimeProvider timeProvider, RetrySchedule? schedule = null, Func<double>? random = null)
    {
        _timeProvider = timeProvider;
        _schedule = schedule ?? DefaultSchedule;
        _loop = new RetryLoop(timeProvider, random);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        await _loop.RunAsync(
            _schedule,
            deadline: null,
            async _ =>
            {
                await ProcessNextAsync(message, pipeline);
                return message.HasResponse ? message.Response.Status : 0;
            },
            attempt => attempt.Exception is { } e
                ? message.ResponseClassifier.IsRetriable(message, e)
                : message.HasResponse && message.Response.IsError && message.ResponseClassifier.IsRetriableResponse(message),
            _ => ServerDelay(message),
            (_, _) => BeforeRetry(message),
            message.CancellationToken);

    /// <summary>The driver is async throughout; nothing here sends a request synchronously.</summary>
    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        throw new NotSupportedException("the ARM pipelines are used asynchronously only");

    /// <summary>The delay the service asked for in the response, or null when it asked for none.</summary>
    private TimeSpan? ServerDelay(HttpMessage message) =>
        message.HasResponse ? ArmServerDelay.Of(message.Response, _timeProvider.GetUtcNow()) : null;

    /// <summary>Frees the failed response's connection and counts the retry, as Azure.Core's policy does (ProcessingContext is ours to keep).</summary>
    private static void BeforeRetry(HttpMessage message)
    {
        if (message.HasResponse)
        {
            message.Response.ContentStream?.Dispose();
        }

        // A view over the message (a struct): setting its RetryNumber sets the message's.
        var context = message.ProcessingContext;
        context.RetryNumber++;
    }
}
