using System.Text.Json.Serialization;

namespace VolumeDriver.Locking.Etcd.Models;

internal sealed record EtcdLeaseKeepAliveResult([property: JsonPropertyName("ID")] long Id, [property: JsonPropertyName("TTL")] long Ttl);
