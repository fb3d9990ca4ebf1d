using System.Text.Json.Nodes;

namespace Simulators.Arm;

/// <summary>
/// The Azure Stack environment file the driver reads through AZURE_ENVIRONMENT_FILEPATH (go-autorest's
/// keys), with every endpoint at one double.
/// </summary>
public static class AzureStackEnvironmentFile
{
    /// <summary>
    /// Writes the file to <paramref name="path"/>. It may be rewritten for every driver run while other
    /// runs read it, so it is replaced, never truncated.
    /// </summary>
    public static string Write(string path, Uri endpoint)
    {
        ReplacedFile.WriteAllText(path, new JsonObject
        {
            ["name"] = "AzureStackCloud",
            ["resourceManagerEndpoint"] = endpoint.ToString(),
            ["activeDirectoryEndpoint"] = endpoint.ToString(),
            ["storageEndpointSuffix"] = "local.azurestack.external",
            ["tokenAudience"] = "https://management.azurestack.local/",
        }.ToJsonString());
        return path;
    }
}
