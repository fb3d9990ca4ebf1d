using System.Text.Json;
using System.Text.Json.Serialization;

namespace VolumeDriver.Kubernetes.Models;

/// <summary>
/// A PersistentVolume's spec; the volume sources this driver does not write (csi, nfs, ...) stay in the extension data.
/// Fields this record does not name are kept in <see cref="ExtensionData"/>, so an object read,
/// changed and written back (PUT) loses nothing the server or another client set.
/// </summary>
internal sealed record PersistentVolumeSpec
{
    /// <summary>Quantities by resource name ("storage": "10Gi"); see StorageQuantity.</summary>
    [JsonPropertyName("capacity")]
    public IReadOnlyDictionary<string, string>? Capacity { get; init; }

    /// <summary>ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod.</summary>
    [JsonPropertyName("accessModes")]
    public IReadOnlyList<string>? AccessModes { get; init; }

    /// <summary>The claim this volume is bound (or pre-bound) to.</summary>
    [JsonPropertyName("claimRef")]
    public ObjectReference? ClaimRef { get; init; }

    /// <summary>Retain, Delete (or the deprecated Recycle).</summary>
    [JsonPropertyName("persistentVolumeReclaimPolicy")]
    public string? PersistentVolumeReclaimPolicy { get; init; }

    [JsonPropertyName("storageClassName")]
    public string? StorageClassName { get; init; }

    [JsonPropertyName("mountOptions")]
    public IReadOnlyList<string>? MountOptions { get; init; }

    /// <summary>Filesystem or Block.</summary>
    [JsonPropertyName("volumeMode")]
    public string? VolumeMode { get; init; }

    [JsonPropertyName("nodeAffinity")]
    public VolumeNodeAffinity? NodeAffinity { get; init; }

    [JsonPropertyName("flexVolume")]
    public FlexPersistentVolumeSource? FlexVolume { get; init; }

    /// <summary>The fields no property names, as they came; set by the deserializer (it cannot fill an init-only one), never by our code.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
