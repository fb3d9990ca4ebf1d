using System.Text.Json.Serialization;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace VolumeDriver.Backends.Azure.Blob.Models;

internal sealed record StorageKeyJson(
    [property: JsonPropertyName("keyName")] string? KeyName,
    [property: JsonPropertyName("value")] string? Value,
    [property: JsonPropertyName("permissions")] string? Permissions);
