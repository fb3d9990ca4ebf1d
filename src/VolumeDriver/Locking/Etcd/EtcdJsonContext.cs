using System.Text.Json.Serialization;
using VolumeDriver.Locking.Etcd.Models;

namespace VolumeDriver.Locking.Etcd;

/// <summary>
/// The JSON shapes of etcd 3.4's v3 gateway (grpc-gateway over the v3 protos), in Models/. int64
/// fields travel as strings (lease ids exceed 2^53, so they are never read as doubles); bytes fields
/// are base64; zero values are omitted from answers (a lost lease's keepalive has no TTL).
/// </summary>
[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.WriteAsString)]
[JsonSerializable(typeof(EtcdAuthenticateRequest))]
[JsonSerializable(typeof(EtcdAuthenticateResponse))]
[JsonSerializable(typeof(EtcdLeaseGrantRequest))]
[JsonSerializable(typeof(EtcdLeaseGrantResponse))]
[JsonSerializable(typeof(EtcdLeaseIdRequest))]
[JsonSerializable(typeof(EtcdLeaseKeepAliveResponse))]
[JsonSerializable(typeof(EtcdLockRequest))]
[JsonSerializable(typeof(EtcdLockResponse))]
[JsonSerializable(typeof(EtcdUnlockRequest))]
[JsonSerializable(typeof(EtcdEmptyResponse))]
[JsonSerializable(typeof(EtcdErrorResponse))]
internal sealed partial class EtcdJsonContext : JsonSerializerContext;
