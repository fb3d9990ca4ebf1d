using System.Text.Json;
using System.Text.Json.Serialization;

namespace VolumeDriver.Kubernetes.Models;

/// <summary>
/// One line of a watch stream as it travels (meta/v1 WatchEvent): a type and the object, read as
/// a JsonElement first because what it is depends on the type (the watched kind, or a Status for ERROR).
/// </summary>
internal sealed record WatchEventLine
{
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonPropertyName("object")]
    public JsonElement Object { get; init; }
}
