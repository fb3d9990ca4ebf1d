using System.Text.Json;
using System.Text.Json.Serialization;

namespace VolumeDriver.Kubernetes.Models;

/// <summary>
/// metadata of every object (meta/v1 ObjectMeta). The server sets uid, resourceVersion, generation, creationTimestamp and deletionTimestamp; a client sets name (or generateName), namespace, labels, annotations, finalizers and owner references.
/// Fields this record does not name are kept in <see cref="ExtensionData"/>, so an object read,
/// changed and written back (PUT) loses nothing the server or another client set.
/// </summary>
internal sealed record ObjectMeta
{
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    /// <summary>A prefix the server completes with 5 random characters when name is empty.</summary>
    [JsonPropertyName("generateName")]
    public string? GenerateName { get; init; }

    [JsonPropertyName("namespace")]
    public string? Namespace { get; init; }

    [JsonPropertyName("uid")]
    public string? Uid { get; init; }

    /// <summary>Opaque: compared only for equality, sent back on update for optimistic concurrency.</summary>
    [JsonPropertyName("resourceVersion")]
    public string? ResourceVersion { get; init; }

    [JsonPropertyName("generation")]
    public long? Generation { get; init; }

    [JsonPropertyName("creationTimestamp")]
    [JsonConverter(typeof(TimeJsonConverter))]
    public DateTimeOffset? CreationTimestamp { get; init; }

    /// <summary>Set when a delete waits for finalizers.</summary>
    [JsonPropertyName("deletionTimestamp")]
    [JsonConverter(typeof(TimeJsonConverter))]
    public DateTimeOffset? DeletionTimestamp { get; init; }

    [JsonPropertyName("deletionGracePeriodSeconds")]
    public long? DeletionGracePeriodSeconds { get; init; }

    [JsonPropertyName("labels")]
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    [JsonPropertyName("annotations")]
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    [JsonPropertyName("finalizers")]
    public IReadOnlyList<string>? Finalizers { get; init; }

    [JsonPropertyName("ownerReferences")]
    public IReadOnlyList<OwnerReference>? OwnerReferences { get; init; }

    /// <summary>The fields no property names, as they came; set by the deserializer (it cannot fill an init-only one), never by our code.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
