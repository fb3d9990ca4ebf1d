using System.Text.Json.Serialization;

namespace VolumeDriver.Locking.Etcd.Models;

internal sealed record EtcdLockRequest([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("lease")] long Lease);
