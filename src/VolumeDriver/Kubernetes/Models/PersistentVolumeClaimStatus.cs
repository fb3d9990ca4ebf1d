using System.Text.Json;
using System.Text.Json.Serialization;

namespace VolumeDriver.Kubernetes.Models;

/// <summary>
/// A PersistentVolumeClaim's status.
/// Fields this record does not name are kept in <see cref="ExtensionData"/>, so an object read,
/// changed and written back (PUT) loses nothing the server or another client set.
/// </summary>
internal sealed record PersistentVolumeClaimStatus
{
    /// <summary>Pending, Bound, Lost.</summary>
    [JsonPropertyName("phase")]
    public string? Phase { get; init; }

    [JsonPropertyName("capacity")]
    public IReadOnlyDictionary<string, string>? Capacity { get; init; }

    [JsonPropertyName("accessModes")]
    public IReadOnlyList<string>? AccessModes { get; init; }

    /// <summary>The fields no property names, as they came; set by the deserializer (it cannot fill an init-only one), never by our code.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
