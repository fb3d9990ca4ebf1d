namespace VolumeDriver.Kubernetes.Models;

/// <summary>What every top-level object has: its type (apiVersion, kind) and its metadata.</summary>
internal interface IKubernetesObject
{
    string? ApiVersion { get; }

    string? Kind { get; }

    ObjectMeta? Metadata { get; }
}
