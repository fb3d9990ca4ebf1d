using System.Text.Json;
using System.Text.Json.Serialization;

namespace VolumeDriver.Kubernetes.Models;

/// <summary>
/// Who holds a Lease and since when (coordination.k8s.io/v1 LeaseSpec). The times are MicroTime.
/// Fields this record does not name are kept in <see cref="ExtensionData"/>, so an object read,
/// changed and written back (PUT) loses nothing the server or another client set.
/// </summary>
internal sealed record LeaseSpec
{
    /// <summary>Empty or absent when nobody holds it.</summary>
    [JsonPropertyName("holderIdentity")]
    public string? HolderIdentity { get; init; }

    [JsonPropertyName("leaseDurationSeconds")]
    public int? LeaseDurationSeconds { get; init; }

    [JsonPropertyName("acquireTime")]
    [JsonConverter(typeof(MicroTimeJsonConverter))]
    public DateTimeOffset? AcquireTime { get; init; }

    [JsonPropertyName("renewTime")]
    [JsonConverter(typeof(MicroTimeJsonConverter))]
    public DateTimeOffset? RenewTime { get; init; }

    [JsonPropertyName("leaseTransitions")]
    public int? LeaseTransitions { get; init; }

    [JsonPropertyName("preferredHolder")]
    public string? PreferredHolder { get; init; }

    [JsonPropertyName("strategy")]
    public string? Strategy { get; init; }

    /// <summary>The fields no property names, as they came; set by the deserializer (it cannot fill an init-only one), never by our code.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
