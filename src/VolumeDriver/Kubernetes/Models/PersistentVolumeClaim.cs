using System.Text.Json;
using System.Text.Json.Serialization;

namespace VolumeDriver.Kubernetes.Models;

/// <summary>
/// A PersistentVolumeClaim (core/v1).
/// Fields this record does not name are kept in <see cref="ExtensionData"/>, so an object read,
/// changed and written back (PUT) loses nothing the server or another client set.
/// </summary>
internal sealed record PersistentVolumeClaim : IKubernetesObject
{
    [JsonPropertyName("apiVersion")]
    public string? ApiVersion { get; init; }

    [JsonPropertyName("kind")]
    public string? Kind { get; init; }

    [JsonPropertyName("metadata")]
    public ObjectMeta? Metadata { get; init; }

    [JsonPropertyName("spec")]
    public PersistentVolumeClaimSpec? Spec { get; init; }

    /// <summary>Written only through the status subresource.</summary>
    [JsonPropertyName("status")]
    public PersistentVolumeClaimStatus? Status { get; init; }

    /// <summary>The fields no property names, as they came; set by the deserializer (it cannot fill an init-only one), never by our code.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
