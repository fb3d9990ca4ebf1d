using System.Text.Json.Serialization;

namespace VolumeDriver.Backends.Azure.Blob;

internal sealed record PoolCountEntry([property: JsonPropertyName("disks")] int Disks, [property: JsonPropertyName("at")] DateTimeOffset At);
