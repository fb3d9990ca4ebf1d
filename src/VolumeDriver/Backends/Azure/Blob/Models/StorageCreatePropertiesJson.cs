using System.Text.Json.Serialization;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace VolumeDriver.Backends.Azure.Blob.Models;

internal sealed record StorageCreatePropertiesJson(
    [property: JsonPropertyName("supportsHttpsTrafficOnly")] bool SupportsHttpsTrafficOnly,
    [property: JsonPropertyName("minimumTlsVersion")] string MinimumTlsVersion,
    [property: JsonPropertyName("allowBlobPublicAccess")] bool AllowBlobPublicAccess);
