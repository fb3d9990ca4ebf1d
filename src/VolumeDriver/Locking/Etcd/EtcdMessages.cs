using System.Text.Json.Serialization;

namespace VolumeDriver.Locking.Etcd;

// The JSON shapes of etcd 3.4's v3 gateway (grpc-gateway over the v3 protos). int64 fields travel
// as strings (lease ids exceed 2^53, so they are never read as doubles); bytes fields are base64;
// zero values are omitted from answers (a lost lease's keepalive has no TTL).

internal sealed record EtcdAuthenticateRequest([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("password")] string Password);

internal sealed record EtcdAuthenticateResponse([property: JsonPropertyName("token")] string? Token);

internal sealed record EtcdLeaseGrantRequest([property: JsonPropertyName("TTL")] long Ttl);

internal sealed record EtcdLeaseGrantResponse([property: JsonPropertyName("ID")] long Id, [property: JsonPropertyName("TTL")] long Ttl, [property: JsonPropertyName("error")] string? Error);

internal sealed record EtcdLeaseIdRequest([property: JsonPropertyName("ID")] long Id);

internal sealed record EtcdLeaseKeepAliveResult([property: JsonPropertyName("ID")] long Id, [property: JsonPropertyName("TTL")] long Ttl);

internal sealed record EtcdLeaseKeepAliveResponse([property: JsonPropertyName("result")] EtcdLeaseKeepAliveResult? Result);

internal sealed record EtcdLockRequest([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("lease")] long Lease);

internal sealed record EtcdLockResponse([property: JsonPropertyName("key")] string? Key);

internal sealed record EtcdUnlockRequest([property: JsonPropertyName("key")] string Key);

internal sealed record EtcdEmptyResponse;

/// <summary>grpc-gateway's error body: <c>{"error","message","code"}</c>.</summary>
internal sealed record EtcdErrorResponse([property: JsonPropertyName("error")] string? Error, [property: JsonPropertyName("message")] string? Message, [property: JsonPropertyName("code")] int Code);

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
