using System.Text.Json.Serialization;

namespace VolumeDriver.Backends.Azure.Blob;

[JsonSerializable(typeof(PoolCountEntry))]
internal sealed partial class PoolCountsJsonContext : JsonSerializerContext;
