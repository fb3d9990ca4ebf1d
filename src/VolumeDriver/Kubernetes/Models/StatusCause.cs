using System.Text.Json;
using System.Text.Json.Serialization;

namespace VolumeDriver.Kubernetes.Models;

/// <summary>
/// One cause of a Status (meta/v1 StatusCause): a field and what is wrong with it.
/// Fields this record does not name are kept in <see cref="ExtensionData"/>, so an object read,
/// changed and written back (PUT) loses nothing the server or another client set.
/// </summary>
internal sealed record StatusCause
{
    [JsonPropertyName("reason")]
    public string? Reason { get; init; }

    [JsonPropertyName("message")]
    public string? Message { get; init; }

    [JsonPropertyName("field")]
    public string? Field { get; init; }

    /// <summary>The fields no property names, as they came; set by the deserializer (it cannot fill an init-only one), never by our code.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
