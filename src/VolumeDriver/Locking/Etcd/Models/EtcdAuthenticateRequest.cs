using System.Text.Json.Serialization;

namespace VolumeDriver.Locking.Etcd;

internal sealed record EtcdAuthenticateRequest([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("password")] string Password);
