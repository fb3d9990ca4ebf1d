using System.Text.Json.Serialization;

namespace VolumeDriver.Kubernetes.Models;

/// <summary>
/// A StorageClass (storage.k8s.io/v1); its fields sit at the top level, not under a spec.
/// Fields it does not name are kept (<see cref="KubernetesObject.ExtensionData"/>).
/// </summary>
internal sealed record StorageClass : KubernetesObject
{
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
}
