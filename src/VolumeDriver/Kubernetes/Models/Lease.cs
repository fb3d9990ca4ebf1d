using System.Text.Json.Serialization;

namespace VolumeDriver.Kubernetes.Models;

/// <summary>
/// A Lease (coordination.k8s.io/v1): the lock of leader election.
/// Fields it does not name are kept (<see cref="KubernetesObject.ExtensionData"/>).
/// </summary>
internal sealed record Lease : KubernetesObject
{
    [JsonPropertyName("spec")]
    public LeaseSpec? Spec { get; init; }
}
