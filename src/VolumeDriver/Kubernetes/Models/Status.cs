using System.Text.Json;
using System.Text.Json.Serialization;

namespace VolumeDriver.Kubernetes.Models;

/// <summary>
/// The API server's answer to a failed call, a delete, or an ERROR watch event (meta/v1 Status).
/// Fields this record does not name are kept in <see cref="ExtensionData"/>, so an object read,
/// changed and written back (PUT) loses nothing the server or another client set.
/// </summary>
internal sealed record Status
{
    [JsonPropertyName("apiVersion")]
    public string? ApiVersion { get; init; }

    [JsonPropertyName("kind")]
    public string? Kind { get; init; }

    [JsonPropertyName("metadata")]
    public ListMeta? Metadata { get; init; }

    /// <summary>Success or Failure (the wire name is "status").</summary>
    [JsonPropertyName("status")]
    public string? State { get; init; }

    [JsonPropertyName("message")]
    public string? Message { get; init; }

    /// <summary>Conflict, AlreadyExists, NotFound, Expired, Gone, Invalid, ...</summary>
    [JsonPropertyName("reason")]
    public string? Reason { get; init; }

    [JsonPropertyName("details")]
    public StatusDetails? Details { get; init; }

    /// <summary>The HTTP status it stands for.</summary>
    [JsonPropertyName("code")]
    public int? Code { get; init; }

    /// <summary>The fields no property names, as they came; set by the deserializer (it cannot fill an init-only one), never by our code.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
