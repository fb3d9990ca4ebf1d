namespace VolumeDriver.Kubernetes;

/// <summary>What an informer tells its handler about one object.</summary>
internal enum InformerChangeType
{
    /// <summary>The object is new to the cache (from the watch, or from a list).</summary>
    Added,

    /// <summary>The object changed; <see cref="InformerChange{T}.Old"/> is the cached state before.</summary>
    Updated,

    /// <summary>The object is gone; the change carries its last known state.</summary>
    Deleted,

    /// <summary>Nothing changed: the periodic resync hands every cached object over again, so missed or failed work is retried.</summary>
    Resync,
}
