using System.Text.Json.Serialization;

namespace VolumeDriver.Backends.Azure;

[JsonSerializable(typeof(VmDiskRequest))]
internal sealed partial class AzureQueueJsonContext : JsonSerializerContext;
