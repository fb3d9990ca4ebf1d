using System.Text.Json.Serialization;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace VolumeDriver.Backends.Azure.Blob.Models;

internal sealed record StoragePropertiesJson(
    [property: JsonPropertyName("provisioningState")] string? ProvisioningState,
    [property: JsonPropertyName("primaryEndpoints")] StorageEndpointsJson? PrimaryEndpoints);
