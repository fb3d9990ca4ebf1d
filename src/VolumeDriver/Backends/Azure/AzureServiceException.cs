namespace VolumeDriver.Backends.Azure;

/// <summary>
/// An Azure service refused a request that our own REST code sent (the Blob service, or ARM's
/// Microsoft.Storage): its HTTP status and error code (x-ms-error-code, or ARM's error.code), for
/// callers that act on a specific refusal such as a leased blob.
/// </summary>
internal sealed class AzureServiceException : Errors.VolumeDriverException
{
    public AzureServiceException(int status, string code, string message)
        : base(message)
    {
        Status = status;
        Code = code;
    }

    public int Status { get; }

    public string Code { get; }
}
