using System.Text.Json.Serialization;

namespace VolumeDriver.Locking.Etcd.Models;

internal sealed record EtcdLockResponse([property: JsonPropertyName("key")] string? Key);
