using System.Text.Json;
using System.Text.Json.Serialization;
using VolumeDriver.Backends.Azure.Models;
using VolumeDriver.Domain;
using VolumeDriver.Errors;

namespace VolumeDriver.Backends.Azure;

/// <summary>
/// The cloud-provider file (<c>/etc/kubernetes/azure.json</c>) as cloud-provider-azure reads it: the
/// identity (a service principal's secret or certificate, a managed identity, or workload identity),
/// the subscription, resource group and location, the VM type, and the cloud. Key names match case-
/// insensitively, as Go's JSON decoding does. The secrets are <see cref="Secret"/>s and never printed.
/// </summary>
internal sealed record AzureCloudConfig(
    string SourceFile,
    AzureEnvironment Environment,
    string TenantId,
    string SubscriptionId,
    string ResourceGroup,
    string Location,
    AzureVmType VmType,
    string? AadClientId,
    Secret? AadClientSecret,
    string? AadClientCertPath,
    Secret? AadClientCertPassword,
    bool UseManagedIdentityExtension,
    string? UserAssignedIdentityId,
    string? AadFederatedTokenFile)
{
    public const string DefaultPath = "/etc/kubernetes/azure.json";

    /// <summary>azure.json is a few KiB; a FIFO or a huge file in its place must not stall a verb.</summary>
    private const int MaxFileBytes = 1024 * 1024;

    /// <summary>Reads and checks the file; every problem is a <see cref="ConfigurationException"/> naming the key.</summary>
    public static AzureCloudConfig Load(string path, Func<string, string?> getEnvironmentVariable)
    {
        AzureJsonFile? file;
        try
        {
            var json = Host.RegularFile.Read(path, MaxFileBytes).AsSpan();
            file = JsonSerializer.Deserialize(json.StartsWith("\uFEFF"u8) ? json[3..] : json, AzureJsonContext.Default.AzureJsonFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException(path, null, $"The Azure cloud-provider file {path} cannot be read: {e.Message.TrimEnd('.')}. It is normally /etc/kubernetes/azure.json; set azure.cloudConfig to where it is.", e);
        }
        catch (JsonException e)
        {
            // JsonException's message would quote the offending text, which may be a secret.
            throw new ConfigurationException(path, null, $"The Azure cloud-provider file {path} is not valid JSON (line {e.LineNumber + 1}).", e);
        }

        if (file is null)
        {
            throw new ConfigurationException(path, null, $"The Azure cloud-provider file {path} is empty.");
        }

        string Require(string? value, string key) => string.IsNullOrWhiteSpace(value)
            ? throw new ConfigurationException(path, key, $"{path} has no '{key}', which the Azure backend needs.")
            : value.Trim();

        var vmType = (file.VmType ?? string.Empty).Trim().ToLowerInvariant() switch
        {
            "" or "standard" => AzureVmType.Standard,
            "vmss" => AzureVmType.ScaleSet,
            var other => throw new ConfigurationException(path, "vmType", $"{path}: vmType '{other}' is not supported; use standard or vmss."),
        };

        return new AzureCloudConfig(
            path,
            AzureEnvironment.For(file.Cloud, getEnvironmentVariable, path),
            Require(file.TenantId, "tenantId"),
            Require(file.SubscriptionId, "subscriptionId"),
            Require(file.ResourceGroup, "resourceGroup"),
            Require(file.Location, "location"),
            vmType,
            Blank(file.AadClientId),
            Blank(file.AadClientSecret) is { } secret ? new Secret(secret) : null,
            Blank(file.AadClientCertPath),
            Blank(file.AadClientCertPassword) is { } password ? new Secret(password) : null,
            file.UseManagedIdentityExtension ?? false,
            Blank(file.UserAssignedIdentityId),
            Blank(file.AadFederatedTokenFile));
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
