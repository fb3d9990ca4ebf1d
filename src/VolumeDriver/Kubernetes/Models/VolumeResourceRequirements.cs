using System.Text.Json;
using System.Text.Json.Serialization;

namespace VolumeDriver.Kubernetes.Models;

/// <summary>
/// What a claim asks for (core/v1 VolumeResourceRequirements).
/// Fields this record does not name are kept in <see cref="ExtensionData"/>, so an object read,
/// changed and written back (PUT) loses nothing the server or another client set.
/// </summary>
internal sealed record VolumeResourceRequirements
{
    /// <summary>"storage": the size asked for.</summary>
    [JsonPropertyName("requests")]
    public IReadOnlyDictionary<string, string>? Requests { get; init; }

    [JsonPropertyName("limits")]
    public IReadOnlyDictionary<string, string>? Limits { get; init; }

    /// <summary>The fields no property names, as they came; set by the deserializer (it cannot fill an init-only one), never by our code.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
