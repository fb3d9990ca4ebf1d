using System.Text.Json.Serialization;

namespace VolumeDriver.Locking.Etcd.Models;

internal sealed record EtcdAuthenticateResponse([property: JsonPropertyName("token")] string? Token);
