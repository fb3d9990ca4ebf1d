using System.Text.Json;
using System.Text.Json.Serialization;

namespace VolumeDriver.Kubernetes.Models;

/// <summary>
/// A FlexVolume source (core/v1 FlexPersistentVolumeSource): kubelet runs the driver with these options.
/// Fields this record does not name are kept in <see cref="ExtensionData"/>, so an object read,
/// changed and written back (PUT) loses nothing the server or another client set.
/// </summary>
internal sealed record FlexPersistentVolumeSource
{
    /// <summary>vendor/name of the driver.</summary>
    [JsonPropertyName("driver")]
    public string? Driver { get; init; }

    [JsonPropertyName("fsType")]
    public string? FsType { get; init; }

    [JsonPropertyName("secretRef")]
    public SecretReference? SecretRef { get; init; }

    [JsonPropertyName("readOnly")]
    public bool? ReadOnly { get; init; }

    [JsonPropertyName("options")]
    public IReadOnlyDictionary<string, string>? Options { get; init; }

    /// <summary>The fields no property names, as they came; set by the deserializer (it cannot fill an init-only one), never by our code.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
