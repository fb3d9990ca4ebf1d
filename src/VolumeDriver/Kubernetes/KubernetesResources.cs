using VolumeDriver.Kubernetes.Models;

namespace VolumeDriver.Kubernetes;

/// <summary>The kinds the driver reads and writes, as the API reference places them.</summary>
internal static class KubernetesResources
{
    public static readonly KubernetesResourceType<PersistentVolume> PersistentVolumes =
        new("", "v1", "persistentvolumes", "PersistentVolume", namespaced: false, hasStatus: true, KubernetesJsonContext.Default.PersistentVolume, KubernetesJsonContext.Default.KubernetesListPersistentVolume);

    public static readonly KubernetesResourceType<PersistentVolumeClaim> PersistentVolumeClaims =
        new("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", namespaced: true, hasStatus: true, KubernetesJsonContext.Default.PersistentVolumeClaim, KubernetesJsonContext.Default.KubernetesListPersistentVolumeClaim);

    public static readonly KubernetesResourceType<StorageClass> StorageClasses =
        new("storage.k8s.io", "v1", "storageclasses", "StorageClass", namespaced: false, hasStatus: false, KubernetesJsonContext.Default.StorageClass, KubernetesJsonContext.Default.KubernetesListStorageClass);

    public static readonly KubernetesResourceType<KubernetesNode> Nodes =
        new("", "v1", "nodes", "Node", namespaced: false, hasStatus: true, KubernetesJsonContext.Default.KubernetesNode, KubernetesJsonContext.Default.KubernetesListKubernetesNode);

    /// <summary>core/v1 Events (the ones kubectl describe shows), not events.k8s.io.</summary>
    public static readonly KubernetesResourceType<Event> Events =
        new("", "v1", "events", "Event", namespaced: true, hasStatus: false, KubernetesJsonContext.Default.Event, KubernetesJsonContext.Default.KubernetesListEvent);

    public static readonly KubernetesResourceType<Lease> Leases =
        new("coordination.k8s.io", "v1", "leases", "Lease", namespaced: true, hasStatus: false, KubernetesJsonContext.Default.Lease, KubernetesJsonContext.Default.KubernetesListLease);
}
