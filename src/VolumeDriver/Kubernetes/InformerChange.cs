using VolumeDriver.Kubernetes.Models;

namespace VolumeDriver.Kubernetes;

/// <summary>One change an informer hands its handler: the type, the object, and for an update the object before.</summary>
internal sealed record InformerChange<T>(InformerChangeType Type, T Object, T? Old)
    where T : KubernetesObject;
