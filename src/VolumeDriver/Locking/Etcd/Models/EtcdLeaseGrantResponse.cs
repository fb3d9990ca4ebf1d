using System.Text.Json.Serialization;

namespace VolumeDriver.Locking.Etcd.Models;

internal sealed record EtcdLeaseGrantResponse([property: JsonPropertyName("ID")] long Id, [property: JsonPropertyName("TTL")] long Ttl, [property: JsonPropertyName("error")] string? Error);
