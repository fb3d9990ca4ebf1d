using System.Text.Json;
using System.Text.Json.Serialization;

namespace VolumeDriver.Kubernetes.Models;

/// <summary>
/// A list of one kind (PersistentVolumeList, LeaseList, ...): the items and the list's metadata,
/// whose resourceVersion is where a watch that follows the list starts.
/// </summary>
internal sealed record KubernetesList<T>
    where T : KubernetesObject
{
    [JsonPropertyName("apiVersion")]
    public string? ApiVersion { get; init; }

    [JsonPropertyName("kind")]
    public string? Kind { get; init; }

    [JsonPropertyName("metadata")]
    public ListMeta? Metadata { get; init; }

    [JsonPropertyName("items")]
    public IReadOnlyList<T>? Items { get; init; }

    /// <summary>The fields no property names, as they came; set by the deserializer (it cannot fill an init-only one), never by our code.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
