using System.Text.Json.Serialization;

namespace VolumeDriver.Backends.Azure.Models;

/// <summary>The keys of azure.json this driver reads (cloud-provider-azure's spelling).</summary>
internal sealed record AzureJsonFile(
    [property: JsonPropertyName("cloud")] string? Cloud,
    [property: JsonPropertyName("tenantId")] string? TenantId,
    [property: JsonPropertyName("subscriptionId")] string? SubscriptionId,
    [property: JsonPropertyName("resourceGroup")] string? ResourceGroup,
    [property: JsonPropertyName("location")] string? Location,
    [property: JsonPropertyName("vmType")] string? VmType,
    [property: JsonPropertyName("aadClientId")] string? AadClientId,
    [property: JsonPropertyName("aadClientSecret")] string? AadClientSecret,
    [property: JsonPropertyName("aadClientCertPath")] string? AadClientCertPath,
    [property: JsonPropertyName("aadClientCertPassword")] string? AadClientCertPassword,
    [property: JsonPropertyName("useManagedIdentityExtension")] bool? UseManagedIdentityExtension,
    [property: JsonPropertyName("userAssignedIdentityID")] string? UserAssignedIdentityId,
    [property: JsonPropertyName("aadFederatedTokenFile")] string? AadFederatedTokenFile);
