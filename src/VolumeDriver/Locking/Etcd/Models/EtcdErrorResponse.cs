using System.Text.Json.Serialization;

namespace VolumeDriver.Locking.Etcd.Models;

/// <summary>grpc-gateway's error body: <c>{"error","message","code"}</c>.</summary>
internal sealed record EtcdErrorResponse([property: JsonPropertyName("error")] string? Error, [property: JsonPropertyName("message")] string? Message, [property: JsonPropertyName("code")] int Code);
