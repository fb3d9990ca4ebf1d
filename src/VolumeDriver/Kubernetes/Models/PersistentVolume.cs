using System.Text.Json.Serialization;

namespace VolumeDriver.Kubernetes.Models;

/// <summary>
/// A PersistentVolume (core/v1).
/// Fields it does not name are kept (<see cref="KubernetesObject.ExtensionData"/>).
/// </summary>
internal sealed record PersistentVolume : KubernetesObject
{
    [JsonPropertyName("spec")]
    public PersistentVolumeSpec? Spec { get; init; }

    /// <summary>Written only through the status subresource.</summary>
    [JsonPropertyName("status")]
    public PersistentVolumeStatus? Status { get; init; }
}
