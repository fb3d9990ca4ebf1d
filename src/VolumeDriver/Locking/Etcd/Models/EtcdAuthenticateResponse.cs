using System.Text.Json.Serialization;

namespace VolumeDriver.Locking.Etcd;

internal sealed record EtcdAuthenticateResponse([property: JsonPropertyName("token")] string? Token);
