using System.Text.Json.Serialization;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace VolumeDriver.Backends.Azure.Blob.Models;

internal sealed record StorageAccountCreateJson(
    [property: JsonPropertyName("sku")] StorageSkuJson Sku,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("location")] string Location,
    [property: JsonPropertyName("tags")] Dictionary<string, string> Tags,
    [property: JsonPropertyName("properties")] StorageCreatePropertiesJson Properties);
