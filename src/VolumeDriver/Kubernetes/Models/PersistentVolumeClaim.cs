using System.Text.Json.Serialization;

namespace VolumeDriver.Kubernetes.Models;

/// <summary>
/// A PersistentVolumeClaim (core/v1).
/// Fields it does not name are kept (<see cref="KubernetesObject.ExtensionData"/>).
/// </summary>
internal sealed record PersistentVolumeClaim : KubernetesObject
{
    [JsonPropertyName("spec")]
    public PersistentVolumeClaimSpec? Spec { get; init; }

    /// <summary>Written only through the status subresource.</summary>
    [JsonPropertyName("status")]
    public PersistentVolumeClaimStatus? Status { get; init; }
}
