using System.Text.Json.Serialization;

namespace VolumeDriver.Backends.Azure.Models;

/// <summary>The keys of go-autorest's Environment that this driver reads.</summary>
internal sealed record StackEnvironmentFile(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("resourceManagerEndpoint")] string? ResourceManagerEndpoint,
    [property: JsonPropertyName("activeDirectoryEndpoint")] string? ActiveDirectoryEndpoint,
    [property: JsonPropertyName("storageEndpointSuffix")] string? StorageEndpointSuffix,
    [property: JsonPropertyName("serviceManagementEndpoint")] string? ServiceManagementEndpoint,
    [property: JsonPropertyName("tokenAudience")] string? TokenAudience);
