using System.Text.Json;
using System.Text.Json.Serialization;

namespace VolumeDriver.Kubernetes.Models;

/// <summary>
/// What every top-level object has: its type (apiVersion, kind), its metadata, and the fields its
/// record does not name, kept in <see cref="ExtensionData"/> as they came, so an object read, changed
/// and written back (PUT) loses nothing the server or another client set.
/// </summary>
internal abstract record KubernetesObject
{
    // Written first, as the API server writes them (a derived record's own fields would come first otherwise).
    [JsonPropertyName("apiVersion")]
    [JsonPropertyOrder(-3)]
    public string? ApiVersion { get; init; }

    [JsonPropertyName("kind")]
    [JsonPropertyOrder(-2)]
    public string? Kind { get; init; }

    [JsonPropertyName("metadata")]
    [JsonPropertyOrder(-1)]
    public ObjectMeta? Metadata { get; init; }

    /// <summary>The fields no property names, as they came; set by the deserializer (it cannot fill an init-only one), never by our code.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
