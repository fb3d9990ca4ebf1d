using System.Text.Json;
using System.Text.Json.Serialization;

namespace VolumeDriver.Kubernetes.Models;

/// <summary>
/// An owner of an object (meta/v1 OwnerReference): the garbage collector deletes the object when its owner goes.
/// Fields this record does not name are kept in <see cref="ExtensionData"/>, so an object read,
/// changed and written back (PUT) loses nothing the server or another client set.
/// </summary>
internal sealed record OwnerReference
{
    [JsonPropertyName("apiVersion")]
    public string? ApiVersion { get; init; }

    [JsonPropertyName("kind")]
    public string? Kind { get; init; }

    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("uid")]
    public string? Uid { get; init; }

    [JsonPropertyName("controller")]
    public bool? Controller { get; init; }

    [JsonPropertyName("blockOwnerDeletion")]
    public bool? BlockOwnerDeletion { get; init; }

    /// <summary>The fields no property names, as they came; set by the deserializer (it cannot fill an init-only one), never by our code.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
