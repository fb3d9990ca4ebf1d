using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Identity;
using VolumeDriver.Backends.Azure;
using VolumeDriver.Errors;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Backends.Azure;

/// <summary>azure.json, the cloud it names, and the credential it describes.</summary>
public sealed class AzureCloudConfigTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("azure-json-").FullName;
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Join(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    private string AzureJson(string identity, string cloud = "AzurePublicCloud") => Write("azure.json", $$"""
        {
          "cloud": "{{cloud}}",
          "tenantId": "72f988bf-0000-0000-0000-000000000001",
          "subscriptionId": "00000000-1111-2222-3333-444444444444",
          "resourceGroup": "k8s-rg",
          "location": "westeurope",
          "vmType": "standard",
          {{identity}}
        }
        """);

    private AzureCloudConfig Load(string path) => AzureCloudConfig.Load(path, name => _environment.GetValueOrDefault(name));

    [Fact]
    public void ServicePrincipalSecret_IsAClientSecretCredential_AgainstTheCloudsAuthority()
    {
        var config = Load(AzureJson($$"""
            "aadClientId": "11111111-2222-3333-4444-555555555555",
            "aadClientSecret": "{{TestSecrets.Password}}"
            """, cloud: "AzureChinaCloud"));

        var choice = AzureCredentialFactory.Create(config, name => _environment.GetValueOrDefault(name));

        Assert.IsType<ClientSecretCredential>(choice.Credential);
        Assert.Equal(new Uri("https://login.chinacloudapi.cn/"), config.Environment.ActiveDirectoryEndpoint);
        Assert.Equal(new Uri("https://management.chinacloudapi.cn/"), config.Environment.ResourceManagerEndpoint);
        Assert.Equal("https://management.core.chinacloudapi.cn/.default", config.Environment.ArmScope);
        Assert.DoesNotContain(TestSecrets.Password, choice.Kind, StringComparison.Ordinal);
        Assert.DoesNotContain(TestSecrets.Password, config.ToString(), StringComparison.Ordinal);
        Assert.Equal(("k8s-rg", "westeurope", AzureVmType.Standard), (config.ResourceGroup, config.Location, config.VmType));
    }

    [Fact]
    public void ManagedIdentity_SystemOrUserAssigned()
    {
        var system = AzureCredentialFactory.Create(Load(AzureJson("\"useManagedIdentityExtension\": true")), _ => null);
        var user = AzureCredentialFactory.Create(Load(AzureJson("\"useManagedIdentityExtension\": true, \"userAssignedIdentityID\": \"abcd-ef\"")), _ => null);

        Assert.IsType<ManagedIdentityCredential>(system.Credential);
        Assert.Contains("system-assigned", system.Kind, StringComparison.Ordinal);
        Assert.Contains("abcd-ef", user.Kind, StringComparison.Ordinal);
    }

    [Fact]
    public void FederatedTokenFileInTheEnvironment_WinsAndIsWorkloadIdentity()
    {
        _environment[AzureCredentialFactory.FederatedTokenFileVariable] = Write("token", "eyJhbGciOi...");
        _environment[AzureCredentialFactory.ClientIdVariable] = "99999999-0000-0000-0000-000000000000";

        var choice = AzureCredentialFactory.Create(Load(AzureJson("\"useManagedIdentityExtension\": true")), name => _environment.GetValueOrDefault(name));

        Assert.IsType<WorkloadIdentityCredential>(choice.Credential);
        Assert.Contains("99999999-0000-0000-0000-000000000000", choice.Kind, StringComparison.Ordinal);
    }

    [Fact]
    public void ServicePrincipalCertificate_IsLoadedWithItsPassword()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=sp", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var pfx = Path.Join(_directory, "sp.pfx");
        File.WriteAllBytes(pfx, certificate.Export(X509ContentType.Pkcs12, TestSecrets.ConfigValue));

        var choice = AzureCredentialFactory.Create(Load(AzureJson($$"""
            "aadClientId": "11111111-2222-3333-4444-555555555555",
            "aadClientCertPath": "{{pfx}}",
            "aadClientCertPassword": "{{TestSecrets.ConfigValue}}"
            """)), _ => null);
        var wrongPassword = Assert.Throws<ConfigurationException>(() => AzureCredentialFactory.Create(Load(AzureJson($$"""
            "aadClientId": "11111111-2222-3333-4444-555555555555",
            "aadClientCertPath": "{{pfx}}",
            "aadClientCertPassword": "not-it"
            """)), _ => null));

        Assert.IsType<ClientCertificateCredential>(choice.Credential);
        Assert.Contains(certificate.Thumbprint, choice.Kind, StringComparison.Ordinal);
        Assert.Equal("aadClientCertPath", wrongPassword.Key);
        Assert.DoesNotContain("not-it", wrongPassword.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoIdentity_IsAFailureThatListsTheWays()
    {
        var e = Assert.Throws<ConfigurationException>(() => AzureCredentialFactory.Create(Load(AzureJson("\"aadClientId\": \"x\"")), _ => null));

        Assert.Contains("useManagedIdentityExtension", e.Message, StringComparison.Ordinal);
        Assert.Contains("aadClientCertPath", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SecretWithoutClientId_NamesTheMissingKey()
    {
        var e = Assert.Throws<ConfigurationException>(() => AzureCredentialFactory.Create(Load(AzureJson("\"aadClientSecret\": \"s\"")), _ => null));

        Assert.Equal("aadClientId", e.Key);
    }

    [Theory]
    [InlineData("subscriptionId")]
    [InlineData("resourceGroup")]
    [InlineData("location")]
    public void MissingRequiredKey_IsNamed(string key)
    {
        var path = AzureJson("\"useManagedIdentityExtension\": true");
        File.WriteAllLines(path, File.ReadAllLines(path).Where(l => !l.Contains($"\"{key}\"", StringComparison.Ordinal)));

        Assert.Equal(key, Assert.Throws<ConfigurationException>(() => Load(path)).Key);
    }

    [Fact]
    public void KeysMatchCaseInsensitively_AsGoReadsThem_AndVmssIsRecognised()
    {
        var path = Write("azure.json", """
            {"TenantID":"t","SubscriptionID":"s","ResourceGroup":"rg","Location":"eastus","VMType":"vmss","UseManagedIdentityExtension":true}
            """);

        var config = Load(path);

        Assert.Equal(("t", "s", AzureVmType.ScaleSet), (config.TenantId, config.SubscriptionId, config.VmType));
        Assert.Same(AzureEnvironment.Public, config.Environment);
    }

    [Fact]
    public void InvalidJson_NeverEchoesItsContent()
    {
        var e = Assert.Throws<ConfigurationException>(() => Load(Write("azure.json", "{\"aadClientSecret\": \"" + TestSecrets.Password + "\" oops}")));

        Assert.DoesNotContain(TestSecrets.Password, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AzureStackCloud_ReadsItsEndpointsFromTheEnvironmentFile()
    {
        _environment[AzureEnvironment.EnvironmentFileVariable] = Write("stack.json", """
            {
              "name": "AzureStackCloud",
              "resourceManagerEndpoint": "https://management.local.azurestack.external",
              "activeDirectoryEndpoint": "https://adfs.local.azurestack.external/adfs/",
              "storageEndpointSuffix": "local.azurestack.external",
              "tokenAudience": "https://management.adfs.azurestack.local/4ef2-..."
            }
            """);

        var config = Load(AzureJson("\"useManagedIdentityExtension\": true", cloud: "AzureStackCloud"));

        Assert.Equal(new Uri("https://management.local.azurestack.external/"), config.Environment.ResourceManagerEndpoint);
        Assert.Equal(new Uri("https://adfs.local.azurestack.external/adfs/"), config.Environment.ActiveDirectoryEndpoint);
        Assert.Equal("local.azurestack.external", config.Environment.StorageEndpointSuffix);
        Assert.False(config.Environment.IsPublicCloudFamily);
    }

    [Fact]
    public void AzureStackCloud_WithoutTheEnvironmentFile_SaysWhichVariable()
    {
        var e = Assert.Throws<ConfigurationException>(() => Load(AzureJson("\"useManagedIdentityExtension\": true", cloud: "AzureStackCloud")));

        Assert.Contains(AzureEnvironment.EnvironmentFileVariable, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownCloud_IsRefused()
    {
        Assert.Equal("cloud", Assert.Throws<ConfigurationException>(() => Load(AzureJson("\"useManagedIdentityExtension\": true", cloud: "AzureGermanCloud"))).Key);
    }
}
