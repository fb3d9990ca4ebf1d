using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using VolumeDriver.Errors;

namespace VolumeDriver.Backends.Azure;

/// <summary>
/// Builds the Azure.Identity credential for azure.json, in cloud-provider-azure's order: workload
/// identity (AZURE_FEDERATED_TOKEN_FILE, as the webhook injects it, or aadFederatedTokenFile), then
/// the VM's managed identity (useManagedIdentityExtension, with userAssignedIdentityID when set),
/// then a service principal by secret (aadClientSecret), then by certificate (aadClientCertPath,
/// PKCS#12 with aadClientCertPassword). Tokens come from the cloud's own authority; on Azure Stack
/// instance discovery is off, since its AD FS or Entra endpoint is not in Microsoft's public list.
/// </summary>
internal static class AzureCredentialFactory
{
    public const string FederatedTokenFileVariable = "AZURE_FEDERATED_TOKEN_FILE";
    public const string ClientIdVariable = "AZURE_CLIENT_ID";

    /// <param name="transport">The HTTP transport for token requests (one that trusts azure.caCert), or null for the default.</param>
    public static AzureCredentialChoice Create(AzureCloudConfig config, Func<string, string?> getEnvironmentVariable, HttpPipelineTransport? transport = null)
    {
        var authority = config.Environment.ActiveDirectoryEndpoint;
        var disableDiscovery = !config.Environment.IsPublicCloudFamily;

        var tokenFile = getEnvironmentVariable(FederatedTokenFileVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : config.AadFederatedTokenFile;
        if (tokenFile is not null)
        {
            var clientId = config.AadClientId ?? getEnvironmentVariable(ClientIdVariable)
                ?? throw Missing(config, "aadClientId", $"workload identity ({FederatedTokenFileVariable}) needs the client id of the identity: aadClientId, or {ClientIdVariable}");
            var options = new WorkloadIdentityCredentialOptions
            {
                TenantId = config.TenantId,
                ClientId = clientId,
                TokenFilePath = tokenFile,
                AuthorityHost = authority,
                DisableInstanceDiscovery = disableDiscovery,
            };
            Use(options, transport);
            return new AzureCredentialChoice(new WorkloadIdentityCredential(options), $"workload identity (client {clientId}, token file {tokenFile})");
        }

        if (config.UseManagedIdentityExtension)
        {
            var id = config.UserAssignedIdentityId;
            var options = new ManagedIdentityCredentialOptions(id is null ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.FromUserAssignedClientId(id));
            Use(options, transport);
            return new AzureCredentialChoice(new ManagedIdentityCredential(options), id is null ? "the VM's system-assigned managed identity" : $"user-assigned managed identity {id}");
        }

        if (config.AadClientSecret is { } secret)
        {
            var clientId = config.AadClientId ?? throw Missing(config, "aadClientId", "a service principal's secret (aadClientSecret) needs its aadClientId");
            var options = new ClientSecretCredentialOptions { AuthorityHost = authority, DisableInstanceDiscovery = disableDiscovery };
            Use(options, transport);
            return new AzureCredentialChoice(new ClientSecretCredential(config.TenantId, clientId, secret.Reveal(), options), $"service principal {clientId} (secret)");
        }

        if (config.AadClientCertPath is { } certificatePath)
        {
            var clientId = config.AadClientId ?? throw Missing(config, "aadClientId", "a service principal's certificate (aadClientCertPath) needs its aadClientId");
            X509Certificate2 certificate;
            try
            {
                certificate = X509CertificateLoader.LoadPkcs12FromFile(certificatePath, config.AadClientCertPassword?.Reveal());
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
            {
                throw new ConfigurationException(config.SourceFile, "aadClientCertPath", $"{config.SourceFile}: the certificate {certificatePath} (aadClientCertPath) cannot be loaded as PKCS#12 with aadClientCertPassword: {e.Message}", e);
            }

            if (!certificate.HasPrivateKey)
            {
                throw new ConfigurationException(config.SourceFile, "aadClientCertPath", $"{config.SourceFile}: the certificate {certificatePath} (aadClientCertPath) holds no private key.");
            }

            var options = new ClientCertificateCredentialOptions { AuthorityHost = authority, DisableInstanceDiscovery = disableDiscovery };
            Use(options, transport);
            return new AzureCredentialChoice(new ClientCertificateCredential(config.TenantId, clientId, certificate, options), $"service principal {clientId} (certificate {certificate.Thumbprint})");
        }

        throw Missing(
            config,
            "aadClientSecret",
            $"it names no identity: set aadClientId with aadClientSecret or aadClientCertPath, or useManagedIdentityExtension: true, or run with workload identity ({FederatedTokenFileVariable})");
    }

    private static void Use(ClientOptions options, HttpPipelineTransport? transport)
    {
        if (transport is not null)
        {
            options.Transport = transport;
        }
    }

    private static ConfigurationException Missing(AzureCloudConfig config, string key, string problem) =>
        new(config.SourceFile, key, $"{config.SourceFile}: {problem}.");
}
