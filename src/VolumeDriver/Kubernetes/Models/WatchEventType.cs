namespace VolumeDriver.Kubernetes.Models;

/// <summary>The kinds of watch event a caller sees (an ERROR event becomes an exception instead).</summary>
internal enum WatchEventType
{
    Added,
    Modified,

    /// <summary>The object is gone; the event carries its last state.</summary>
    Deleted,

    /// <summary>Nothing changed: only the object's metadata.resourceVersion is set, the point a re-watch may start from.</summary>
    Bookmark,
}
