using System.Text.Json;
using System.Text.Json.Serialization;

namespace VolumeDriver.Kubernetes.Models;

/// <summary>
/// A PersistentVolumeClaim's spec.
/// Fields this record does not name are kept in <see cref="ExtensionData"/>, so an object read,
/// changed and written back (PUT) loses nothing the server or another client set.
/// </summary>
internal sealed record PersistentVolumeClaimSpec
{
    [JsonPropertyName("accessModes")]
    public IReadOnlyList<string>? AccessModes { get; init; }

    [JsonPropertyName("resources")]
    public VolumeResourceRequirements? Resources { get; init; }

    /// <summary>Null means the default class; empty means no class.</summary>
    [JsonPropertyName("storageClassName")]
    public string? StorageClassName { get; init; }

    /// <summary>The bound volume, set by binding.</summary>
    [JsonPropertyName("volumeName")]
    public string? VolumeName { get; init; }

    [JsonPropertyName("volumeMode")]
    public string? VolumeMode { get; init; }

    [JsonPropertyName("selector")]
    public LabelSelector? Selector { get; init; }

    [JsonPropertyName("dataSource")]
    public TypedLocalObjectReference? DataSource { get; init; }

    /// <summary>The fields no property names, as they came; set by the deserializer (it cannot fill an init-only one), never by our code.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
