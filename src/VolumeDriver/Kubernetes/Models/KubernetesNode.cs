using System.Text.Json.Serialization;

namespace VolumeDriver.Kubernetes.Models;

/// <summary>
/// A Node (core/v1; named so beside the VolumeDriver.Node namespace): its labels carry the zone (topology.kubernetes.io/zone); spec and status are kept as they came.
/// Fields it does not name are kept (<see cref="KubernetesObject.ExtensionData"/>).
/// </summary>
internal sealed record KubernetesNode : KubernetesObject
{
    [JsonPropertyName("spec")]
    public NodeSpec? Spec { get; init; }
}
