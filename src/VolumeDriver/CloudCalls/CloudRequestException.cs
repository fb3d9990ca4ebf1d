using VolumeDriver.Errors;

namespace VolumeDriver.CloudCalls;

/// <summary>
/// The one exception for a cloud call that failed: ARM, the Blob service, vCloud Director or etcd
/// refused it, could not be reached, or answered with something unusable. It carries what callers
/// branch on (service, HTTP status, the service's error code) and what support needs (the request
/// id), in the shape of Azure.Core's RequestFailedException. The message is the caller's sentence
/// followed by the request id, so the Failure a user pastes into a ticket can be found in the
/// service's logs.
/// </summary>
internal sealed class CloudRequestException : VolumeDriverException
{
    /// <param name="status">The HTTP status, or 0 when no answer came (the service could not be reached).</param>
    /// <param name="errorCode">The service's code: ARM's error.code, x-ms-error-code, vCD's minorErrorCode, etcd's gRPC code.</param>
    /// <param name="message">What failed, why and what to do; the request id is appended.</param>
    public CloudRequestException(CloudService service, string operation, int status, string? errorCode, CloudRequestIds ids, string message, Exception? innerException = null)
        : base(ids.Describe(service) is { } described ? $"{message} ({described})" : message, innerException)
    {
        Service = service;
        Operation = operation;
        Status = status;
        ErrorCode = string.IsNullOrEmpty(errorCode) ? null : errorCode;
        RequestId = ids.RequestId;
        CorrelationId = ids.CorrelationId;
    }

    public CloudService Service { get; }

    /// <summary>The request or operation, e.g. "PUT /subscriptions/.../storageAccounts/x" or "/v3/lock/lock".</summary>
    public string Operation { get; }

    /// <summary>The HTTP status, or 0 when the service gave no answer.</summary>
    public int Status { get; }

    public string? ErrorCode { get; }

    public string? RequestId { get; }

    /// <summary>ARM's x-ms-correlation-request-id; null for the other services.</summary>
    public string? CorrelationId { get; }

    /// <summary>How long the service asked us to wait before trying again (Retry-After), when it did.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
