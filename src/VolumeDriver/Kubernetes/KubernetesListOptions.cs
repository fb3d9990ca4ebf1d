namespace VolumeDriver.Kubernetes;

/// <summary>The query of a list call (meta/v1 ListOptions): selectors, paging and the version to read at.</summary>
internal sealed record KubernetesListOptions
{
    /// <summary>Equality-based, e.g. "app=provisioner,tier!=test".</summary>
    public string? LabelSelector { get; init; }

    /// <summary>On the fields the kind supports, e.g. "involvedObject.uid=...".</summary>
    public string? FieldSelector { get; init; }

    /// <summary>At most this many items; the list's metadata.continue then asks for the rest.</summary>
    public int? Limit { get; init; }

    /// <summary>The token of the previous page.</summary>
    public string? Continue { get; init; }

    /// <summary>Unset for the newest data (a consistent read); "0" for any cached state.</summary>
    public string? ResourceVersion { get; init; }

    /// <summary>NotOlderThan or Exact; only with <see cref="ResourceVersion"/>.</summary>
    public string? ResourceVersionMatch { get; init; }
}
