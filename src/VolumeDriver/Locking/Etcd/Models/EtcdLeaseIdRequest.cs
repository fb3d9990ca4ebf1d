using System.Text.Json.Serialization;

namespace VolumeDriver.Locking.Etcd.Models;

internal sealed record EtcdLeaseIdRequest([property: JsonPropertyName("ID")] long Id);
