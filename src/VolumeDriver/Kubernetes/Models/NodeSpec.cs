using System.Text.Json;
using System.Text.Json.Serialization;

namespace VolumeDriver.Kubernetes.Models;

/// <summary>
/// The part of a Node's spec a provisioner reads.
/// Fields this record does not name are kept in <see cref="ExtensionData"/>, so an object read,
/// changed and written back (PUT) loses nothing the server or another client set.
/// </summary>
internal sealed record NodeSpec
{
    /// <summary>The cloud's id of the machine (azure:///subscriptions/...).</summary>
    [JsonPropertyName("providerID")]
    public string? ProviderId { get; init; }

    [JsonPropertyName("unschedulable")]
    public bool? Unschedulable { get; init; }

    /// <summary>The fields no property names, as they came; set by the deserializer (it cannot fill an init-only one), never by our code.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
