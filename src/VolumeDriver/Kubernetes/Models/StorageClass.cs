using System.Text.Json;
using System.Text.Json.Serialization;

namespace VolumeDriver.Kubernetes.Models;

/// <summary>
/// A StorageClass (storage.k8s.io/v1); its fields sit at the top level, not under a spec.
/// Fields this record does not name are kept in <see cref="ExtensionData"/>, so an object read,
/// changed and written back (PUT) loses nothing the server or another client set.
/// </summary>
internal sealed record StorageClass : IKubernetesObject
{
    [JsonPropertyName("apiVersion")]
    public string? ApiVersion { get; init; }

    [JsonPropertyName("kind")]
    public string? Kind { get; init; }

    [JsonPropertyName("metadata")]
    public ObjectMeta? Metadata { get; init; }

    [JsonPropertyName("provisioner")]
    public string? Provisioner { get; init; }

    /// <summary>Opaque to Kubernetes: the provisioner validates them.</summary>
    [JsonPropertyName("parameters")]
    public IReadOnlyDictionary<string, string>? Parameters { get; init; }

    /// <summary>Delete (the default) or Retain.</summary>
    [JsonPropertyName("reclaimPolicy")]
    public string? ReclaimPolicy { get; init; }

    [JsonPropertyName("mountOptions")]
    public IReadOnlyList<string>? MountOptions { get; init; }

    [JsonPropertyName("allowVolumeExpansion")]
    public bool? AllowVolumeExpansion { get; init; }

    /// <summary>Immediate (the default) or WaitForFirstConsumer.</summary>
    [JsonPropertyName("volumeBindingMode")]
    public string? VolumeBindingMode { get; init; }

    [JsonPropertyName("allowedTopologies")]
    public IReadOnlyList<TopologySelectorTerm>? AllowedTopologies { get; init; }

    /// <summary>The fields no property names, as they came; set by the deserializer (it cannot fill an init-only one), never by our code.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
