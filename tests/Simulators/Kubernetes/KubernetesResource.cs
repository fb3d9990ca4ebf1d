namespace Simulators.Kubernetes;

/// <summary>
/// One resource type the double serves, as the API reference describes it: where it lives, its kind
/// and list kind, whether it is namespaced, whether it has a status subresource (then a write to the
/// object ignores status and a write to /status ignores everything else), and the field selectors the
/// API server accepts for it.
/// </summary>
public sealed record KubernetesResource(
    string Group,
    string Version,
    string Plural,
    string Kind,
    bool Namespaced,
    bool HasStatus,
    IReadOnlyList<string> SelectableFields)
{
    /// <summary>
    /// Whether a delete answers with the deleted object (the registry's ReturnDeletedObject: PVs and
    /// PVCs, pkg/registry/core/persistentvolume{,claim}/storage/storage.go) rather than a Success Status.
    /// </summary>
    public bool ReturnsDeletedObject => this == PersistentVolumes || this == PersistentVolumeClaims;

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string ListKind => Kind + "List";

    /// <summary>The path prefix of the group version: /api/v1 or /apis/{group}/{version}.</summary>
    public string GroupVersionPath => Group.Length == 0 ? $"/api/{Version}" : $"/apis/{Group}/{Version}";

    public static readonly KubernetesResource PersistentVolumes = new("", "v1", "persistentvolumes", "PersistentVolume", false, true, ["metadata.name"]);

    public static readonly KubernetesResource PersistentVolumeClaims = new("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true, true, ["metadata.name", "metadata.namespace"]);

    public static readonly KubernetesResource StorageClasses = new("storage.k8s.io", "v1", "storageclasses", "StorageClass", false, false, ["metadata.name"]);

    public static readonly KubernetesResource Nodes = new("", "v1", "nodes", "Node", false, true, ["metadata.name", "spec.unschedulable"]);

    /// <summary>core/v1 Events: the ones <c>kubectl describe</c> shows, selected by involvedObject fields.</summary>
    public static readonly KubernetesResource Events = new("", "v1", "events", "Event", true, false,
        ["metadata.name", "metadata.namespace", "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"]);

    public static readonly KubernetesResource Leases = new("coordination.k8s.io", "v1", "leases", "Lease", true, false, ["metadata.name", "metadata.namespace"]);

    public static IReadOnlyList<KubernetesResource> All { get; } = [PersistentVolumes, PersistentVolumeClaims, StorageClasses, Nodes, Events, Leases];
}
