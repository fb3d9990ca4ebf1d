using System.Text.Json.Serialization;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace VolumeDriver.Backends.Azure.Blob.Models;

internal sealed record StorageSkuJson([property: JsonPropertyName("name")] string? Name);
