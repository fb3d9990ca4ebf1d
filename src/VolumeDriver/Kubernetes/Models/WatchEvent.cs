namespace VolumeDriver.Kubernetes.Models;

/// <summary>One change seen by a watch: its type and the object (for a bookmark, only its resourceVersion is set).</summary>
internal sealed record WatchEvent<T>(WatchEventType Type, T Object)
    where T : KubernetesObject
{
    /// <summary>The resourceVersion this event brings the watch to.</summary>
    public string? ResourceVersion => Object.Metadata?.ResourceVersion;
}
