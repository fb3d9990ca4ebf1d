using System.Text.Json.Serialization;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace VolumeDriver.Backends.Azure.Blob.Models;

internal sealed record StorageAccountJson(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("location")] string? Location,
    [property: JsonPropertyName("sku")] StorageSkuJson? Sku,
    [property: JsonPropertyName("tags")] Dictionary<string, string>? Tags,
    [property: JsonPropertyName("properties")] StoragePropertiesJson? Properties);
