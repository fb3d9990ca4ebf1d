using System.Text.Json.Serialization;

namespace VolumeDriver.Locking.Etcd.Models;

internal sealed record EtcdLeaseGrantRequest([property: JsonPropertyName("TTL")] long Ttl);
