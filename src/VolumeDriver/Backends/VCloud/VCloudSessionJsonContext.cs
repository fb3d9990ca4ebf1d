using System.Text.Json.Serialization;

namespace VolumeDriver.Backends.VCloud;

[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(VCloudSessionCacheEntry))]
internal sealed partial class VCloudSessionJsonContext : JsonSerializerContext;
