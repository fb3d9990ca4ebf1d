using System.Text.Json.Serialization;

namespace VolumeDriver.Kubernetes.Models;

/// <summary>
/// A core/v1 Event, the kind kubectl describe lists. An event without eventTime must live in its involved object's namespace (default for a cluster-scoped object).
/// Fields it does not name are kept (<see cref="KubernetesObject.ExtensionData"/>).
/// </summary>
internal sealed record Event : KubernetesObject
{
    [JsonPropertyName("involvedObject")]
    public ObjectReference? InvolvedObject { get; init; }

    /// <summary>A short CamelCase reason: ProvisioningSucceeded.</summary>
    [JsonPropertyName("reason")]
    public string? Reason { get; init; }

    [JsonPropertyName("message")]
    public string? Message { get; init; }

    /// <summary>Normal or Warning.</summary>
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonPropertyName("source")]
    public EventSource? Source { get; init; }

    [JsonPropertyName("firstTimestamp")]
    [JsonConverter(typeof(TimeJsonConverter))]
    public DateTimeOffset? FirstTimestamp { get; init; }

    [JsonPropertyName("lastTimestamp")]
    [JsonConverter(typeof(TimeJsonConverter))]
    public DateTimeOffset? LastTimestamp { get; init; }

    [JsonPropertyName("count")]
    public int? Count { get; init; }

    /// <summary>MicroTime: when set, reportingComponent and reportingInstance are required too.</summary>
    [JsonPropertyName("eventTime")]
    [JsonConverter(typeof(MicroTimeJsonConverter))]
    public DateTimeOffset? EventTime { get; init; }

    [JsonPropertyName("series")]
    public EventSeries? Series { get; init; }

    [JsonPropertyName("action")]
    public string? Action { get; init; }

    [JsonPropertyName("related")]
    public ObjectReference? Related { get; init; }

    [JsonPropertyName("reportingComponent")]
    public string? ReportingComponent { get; init; }

    [JsonPropertyName("reportingInstance")]
    public string? ReportingInstance { get; init; }
}
