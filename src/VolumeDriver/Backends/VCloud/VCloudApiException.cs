using System.Net;
using VolumeDriver.Errors;

namespace VolumeDriver.Backends.VCloud;

/// <summary>
/// vCloud Director refused a request. It carries the HTTP status and the <c>Error</c> element's minor
/// code (BUSY_ENTITY, ACCESS_TO_RESOURCE_IS_FORBIDDEN...) so callers can decide what to retry.
/// </summary>
internal sealed class VCloudApiException : VolumeDriverException
{
    public VCloudApiException(HttpStatusCode status, string? minorErrorCode, string message)
        : base(message)
    {
        Status = status;
        MinorErrorCode = minorErrorCode;
    }

    public HttpStatusCode Status { get; }

    public string? MinorErrorCode { get; }

    /// <summary>Another task runs on the VM or disk: worth retrying after a pause.</summary>
    public bool IsBusyEntity => Status == HttpStatusCode.BadRequest && string.Equals(MinorErrorCode, "BUSY_ENTITY", StringComparison.Ordinal);

    /// <summary>
    /// vCD answers 403 for an entity that does not exist (or that this user may not see), rarely 404;
    /// both mean "not there" to this backend.
    /// </summary>
    public bool IsNotFound => Status is HttpStatusCode.Forbidden or HttpStatusCode.NotFound;
}
