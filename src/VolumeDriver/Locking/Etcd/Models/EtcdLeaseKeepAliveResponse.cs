using System.Text.Json.Serialization;

namespace VolumeDriver.Locking.Etcd.Models;

internal sealed record EtcdLeaseKeepAliveResponse([property: JsonPropertyName("result")] EtcdLeaseKeepAliveResult? Result);
