using System.Text.Json;
using System.Text.Json.Serialization;
using VolumeDriver.Backends.Azure.Models;

namespace VolumeDriver.Backends.Azure;

[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(AzureJsonFile))]
[JsonSerializable(typeof(StackEnvironmentFile))]
internal sealed partial class AzureJsonContext : JsonSerializerContext;
