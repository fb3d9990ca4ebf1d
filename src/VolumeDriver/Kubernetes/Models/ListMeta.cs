using System.Text.Json;
using System.Text.Json.Serialization;

namespace VolumeDriver.Kubernetes.Models;

/// <summary>
/// The metadata of a list (meta/v1 ListMeta).
/// Fields this record does not name are kept in <see cref="ExtensionData"/>, so an object read,
/// changed and written back (PUT) loses nothing the server or another client set.
/// </summary>
internal sealed record ListMeta
{
    /// <summary>The version the list was read at: a watch that follows starts from it.</summary>
    [JsonPropertyName("resourceVersion")]
    public string? ResourceVersion { get; init; }

    /// <summary>Set when more items remain: pass it back to read the next page of the same snapshot.</summary>
    [JsonPropertyName("continue")]
    public string? Continue { get; init; }

    [JsonPropertyName("remainingItemCount")]
    public long? RemainingItemCount { get; init; }

    /// <summary>The fields no property names, as they came; set by the deserializer (it cannot fill an init-only one), never by our code.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
