namespace VolumeDriver.Modules;

/// <summary>
/// One node-selector requirement of a PV's <c>spec.nodeAffinity.required</c>: the node's label
/// <paramref name="Key"/> must have one of <paramref name="Values"/> (operator In).
/// </summary>
internal sealed record NodeAffinityTerm(string Key, IReadOnlyList<string> Values)
{
    /// <summary>The well-known zone label every cloud provider sets on its nodes (GA since Kubernetes 1.17).</summary>
    public const string ZoneLabel = "topology.kubernetes.io/zone";
}
