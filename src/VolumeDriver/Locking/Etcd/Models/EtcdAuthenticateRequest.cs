using System.Text.Json.Serialization;

namespace VolumeDriver.Locking.Etcd.Models;

internal sealed record EtcdAuthenticateRequest([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("password")] string Password);
