using System.Text.Json.Serialization;

namespace VolumeDriver.Locking.Etcd.Models;

internal sealed record EtcdUnlockRequest([property: JsonPropertyName("key")] string Key);
