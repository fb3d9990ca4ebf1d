namespace VolumeDriver.CloudCalls;

/// <summary>
/// The ids a service gives one request, which its support asks for: ARM's x-ms-request-id and
/// x-ms-correlation-request-id, the Blob service's x-ms-request-id, vCD's X-VMWARE-VCLOUD-REQUEST-ID.
/// etcd's gateway gives none.
/// </summary>
/// <param name="RequestId">The service's id of this request.</param>
/// <param name="CorrelationId">ARM's id of the whole operation (the same across its requests), when the service has one.</param>
internal readonly record struct CloudRequestIds(string? RequestId, string? CorrelationId = null)
{
    public const string MsRequestId = "x-ms-request-id";
    public const string MsCorrelationRequestId = "x-ms-correlation-request-id";
    public const string VCloudRequestId = "X-VMWARE-VCLOUD-REQUEST-ID";

    /// <summary>The Kubernetes API server's id of a request, the key of its audit log.</summary>
    public const string KubernetesAuditId = "Audit-Id";

    public static CloudRequestIds None => default;

    /// <summary>Reads the ids <paramref name="service"/> sends, through <paramref name="header"/> (a header's first value, or null).</summary>
    public static CloudRequestIds From(CloudService service, Func<string, string?> header) => service switch
    {
        CloudService.Arm => new(Blank(header(MsRequestId)), Blank(header(MsCorrelationRequestId))),
        CloudService.Blob => new(Blank(header(MsRequestId))),
        CloudService.VCloud => new(Blank(header(VCloudRequestId))),
        CloudService.Kubernetes => new(Blank(header(KubernetesAuditId))),
        _ => None,
    };

    /// <summary>How a Failure names them, e.g. "ARM request id 1f..., correlation id 9a..."; null when there are none.</summary>
    public string? Describe(CloudService service) => (RequestId, CorrelationId) switch
    {
        (null, null) => null,
        ({ } request, null) => $"{Name(service)} request id {request}",
        (null, { } correlation) => $"{Name(service)} correlation id {correlation}",
        ({ } request, { } correlation) => $"{Name(service)} request id {request}, correlation id {correlation}",
    };

    public static string Name(CloudService service) => service switch
    {
        CloudService.Arm => "ARM",
        CloudService.Blob => "Blob service",
        CloudService.VCloud => "vCloud",
        CloudService.Kubernetes => "Kubernetes API",
        _ => "etcd",
    };

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
