using System.Text.Json;
using System.Text.Json.Serialization;
using VolumeDriver.Backends.Azure.Models;
using VolumeDriver.Errors;

namespace VolumeDriver.Backends.Azure;

/// <summary>
/// The endpoints of one Azure cloud: where ARM is, which authority issues tokens for it, the audience
/// those tokens are for, and the storage suffix of blob endpoints. The public, China and US
/// Government clouds are built in; <c>AzureStackCloud</c> reads the file named by
/// <c>AZURE_ENVIRONMENT_FILEPATH</c>, exactly as cloud-provider-azure does (its JSON keys are
/// go-autorest's: resourceManagerEndpoint, activeDirectoryEndpoint, storageEndpointSuffix,
/// tokenAudience...). That file is also how tests point the driver at the ARM double.
/// </summary>
internal sealed record AzureEnvironment(string Name, Uri ResourceManagerEndpoint, Uri ActiveDirectoryEndpoint, string StorageEndpointSuffix, string TokenAudience)
{
    public const string EnvironmentFileVariable = "AZURE_ENVIRONMENT_FILEPATH";
    public const string StackCloudName = "AzureStackCloud";

    public static AzureEnvironment Public { get; } = new("AzurePublicCloud", new Uri("https://management.azure.com/"), new Uri("https://login.microsoftonline.com/"), "core.windows.net", "https://management.core.windows.net/");

    public static AzureEnvironment China { get; } = new("AzureChinaCloud", new Uri("https://management.chinacloudapi.cn/"), new Uri("https://login.chinacloudapi.cn/"), "core.chinacloudapi.cn", "https://management.core.chinacloudapi.cn/");

    public static AzureEnvironment UsGovernment { get; } = new("AzureUSGovernmentCloud", new Uri("https://management.usgovcloudapi.net/"), new Uri("https://login.microsoftonline.us/"), "core.usgovcloudapi.net", "https://management.core.usgovcloudapi.net/");

    /// <summary>True for the clouds where Azure retired unmanaged (VHD blob) disks on 2025-09-30.</summary>
    public bool IsPublicCloudFamily => Name != StackCloudName;

    /// <summary>The OAuth scope of ARM tokens: the audience with /.default.</summary>
    public string ArmScope => TokenAudience.TrimEnd('/') + "/.default";

    /// <summary>
    /// The environment azure.json's <c>cloud</c> names (case-insensitive; empty means public). Azure
    /// Stack needs <paramref name="getEnvironmentVariable"/>(AZURE_ENVIRONMENT_FILEPATH) to name a file.
    /// </summary>
    public static AzureEnvironment For(string? cloud, Func<string, string?> getEnvironmentVariable, string azureJsonPath)
    {
        switch (cloud?.Trim().ToUpperInvariant())
        {
            case null or "" or "AZUREPUBLICCLOUD" or "AZURECLOUD":
                return Public;
            case "AZURECHINACLOUD":
                return China;
            case "AZUREUSGOVERNMENTCLOUD" or "AZUREUSGOVERNMENT":
                return UsGovernment;
            case "AZURESTACKCLOUD":
                return FromFile(getEnvironmentVariable(EnvironmentFileVariable), azureJsonPath);
            default:
                throw new ConfigurationException(
                    azureJsonPath,
                    "cloud",
                    $"{azureJsonPath}: cloud '{cloud}' is not an Azure cloud this driver knows. Use AzurePublicCloud, AzureChinaCloud, AzureUSGovernmentCloud, or AzureStackCloud with {EnvironmentFileVariable} naming the environment file.");
        }
    }

    private static AzureEnvironment FromFile(string? path, string azureJsonPath)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ConfigurationException(azureJsonPath, "cloud", $"{azureJsonPath} names {StackCloudName}, whose endpoints come from the file named by {EnvironmentFileVariable}, and that variable is not set. Set it to the Azure Stack environment JSON (resourceManagerEndpoint, activeDirectoryEndpoint, storageEndpointSuffix...).");
        }

        StackEnvironmentFile? file;
        try
        {
            file = JsonSerializer.Deserialize(File.ReadAllText(path), AzureJsonContext.Default.StackEnvironmentFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new ConfigurationException(path, null, $"The Azure Stack environment file {path} ({EnvironmentFileVariable}) cannot be read as JSON: {e.Message}", e);
        }

        Uri Require(string? value, string key) =>
            Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps
                ? new Uri(uri.ToString().TrimEnd('/') + "/")
                : throw new ConfigurationException(path, key, $"The Azure Stack environment file {path} needs '{key}' as an https:// URL.");

        var resourceManager = Require(file?.ResourceManagerEndpoint, "resourceManagerEndpoint");
        var activeDirectory = Require(file?.ActiveDirectoryEndpoint, "activeDirectoryEndpoint");
        var storage = string.IsNullOrWhiteSpace(file?.StorageEndpointSuffix)
            ? throw new ConfigurationException(path, "storageEndpointSuffix", $"The Azure Stack environment file {path} needs 'storageEndpointSuffix' (for example local.azurestack.external).")
            : file.StorageEndpointSuffix.Trim().TrimStart('.');
        var audience = !string.IsNullOrWhiteSpace(file.TokenAudience) ? file.TokenAudience
            : !string.IsNullOrWhiteSpace(file.ServiceManagementEndpoint) ? file.ServiceManagementEndpoint
            : resourceManager.ToString();
        return new AzureEnvironment(file.Name is { Length: > 0 } name ? name : StackCloudName, resourceManager, activeDirectory, storage, audience);
    }
}
