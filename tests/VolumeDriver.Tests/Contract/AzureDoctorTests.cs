using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Simulators.Arm;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Contract;

/// <summary>
/// Every credential form azure.json can name reaches the ARM double's token endpoint (or IMDS) from
/// the published binary, and doctor then reads the resource group and the node's VM through
/// Azure.ResourceManager. The double is an Azure Stack cloud (AZURE_ENVIRONMENT_FILEPATH) over HTTPS
/// with a test CA the driver trusts through azure.caCert.
/// </summary>
public sealed class AzureDoctorTests : IAsyncLifetime
{
    private const string SecretClient = "11111111-0000-0000-0000-000000000001";
    private const string CertificateClient = "11111111-0000-0000-0000-000000000002";
    private const string FederatedClient = "11111111-0000-0000-0000-000000000003";
    private const string UserAssigned = "22222222-0000-0000-0000-000000000004";

    private readonly RSA _key = RSA.Create(2048);
    private X509Certificate2 _certificate = null!;
    private ArmSimulator _arm = null!;
    private string _directory = null!;

    public async Task InitializeAsync()
    {
        _directory = Directory.CreateTempSubdirectory("vd-azure-").FullName;
        var request = new CertificateRequest("CN=volume-driver-sp", _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        _arm = await ArmSimulator.StartAsync(new ArmSimulatorOptions
        {
            StateDirectory = Path.Join(_directory, "arm"),
            ClientSecrets = new Dictionary<string, string> { [SecretClient] = TestSecrets.Password },
            ClientCertificates = new Dictionary<string, X509Certificate2> { [CertificateClient] = _certificate },
            FederatedClients = [FederatedClient],
            ManagedIdentities = ["system", UserAssigned],
            Vms = ["node-1", "legacy-1"],
            UnmanagedOsDiskVms = ["legacy-1"],
            ScaleSets = new Dictionary<string, int> { ["k8s-vmss"] = 3 },
        }).WithTimeout();
    }

    public async Task DisposeAsync()
    {
        await _arm.DisposeAsync().WithTimeout();
        _certificate.Dispose();
        _key.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [ContractFact]
    public async Task ClientSecret_GetsAToken_AndDoctorReadsTheGroupAndTheVm()
    {
        var checks = await DoctorAsync($$"""
            "aadClientId": "{{SecretClient}}", "aadClientSecret": "{{TestSecrets.Password}}"
            """).WithTimeout();

        Assert.Equal("ok", checks["credentials"].Status);
        Assert.Contains("service principal " + SecretClient, checks["credentials"].Detail, StringComparison.Ordinal);
        Assert.Equal("ok", checks["cloud API"].Status);
        Assert.Equal("ok", checks["node VM"].Status);
        Assert.Contains("client_secret:" + SecretClient, _arm.IssuedTokens);
    }

    [ContractFact]
    public async Task WrongSecret_IsAClearCredentialFailure_WithoutTheSecret()
    {
        var checks = await DoctorAsync($$"""
            "aadClientId": "{{SecretClient}}", "aadClientSecret": "{{TestSecrets.Token}}"
            """).WithTimeout();

        Assert.Equal("fail", checks["credentials"].Status);
        Assert.True(checks["credentials"].Detail.Contains("Invalid client secret", StringComparison.Ordinal), checks["credentials"].Detail);
        Assert.Equal("skip", checks["node VM"].Status);
    }

    [ContractFact]
    public async Task ClientCertificate_SignsAnAssertionTheDoubleVerifies()
    {
        var pfx = Path.Join(_directory, "sp.pfx");
        await File.WriteAllBytesAsync(pfx, _certificate.Export(X509ContentType.Pkcs12, TestSecrets.ConfigValue)).WithTimeout();

        var checks = await DoctorAsync($$"""
            "aadClientId": "{{CertificateClient}}", "aadClientCertPath": "{{pfx}}", "aadClientCertPassword": "{{TestSecrets.ConfigValue}}"
            """).WithTimeout();

        Assert.Equal("ok", checks["credentials"].Status);
        Assert.Contains("client_assertion:" + CertificateClient, _arm.IssuedTokens);
    }

    [ContractFact]
    public async Task WorkloadIdentity_SendsTheFederatedToken()
    {
        var tokenFile = Path.Join(_directory, "sa-token");
        await File.WriteAllTextAsync(tokenFile, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2lnbmF0dXJl").WithTimeout();

        var checks = await DoctorAsync("\"useManagedIdentityExtension\": false", new Dictionary<string, string>
        {
            ["AZURE_FEDERATED_TOKEN_FILE"] = tokenFile,
            ["AZURE_CLIENT_ID"] = FederatedClient,
        }).WithTimeout();

        Assert.Equal("ok", checks["credentials"].Status);
        Assert.Contains("federated:" + FederatedClient, _arm.IssuedTokens);
    }

    [ContractFact]
    public async Task ManagedIdentity_SystemAndUserAssigned_AskImds()
    {
        var imds = new Dictionary<string, string> { ["AZURE_POD_IDENTITY_AUTHORITY_HOST"] = _arm.ImdsUri.ToString() };

        var system = await DoctorAsync("\"useManagedIdentityExtension\": true", imds).WithTimeout();
        var user = await DoctorAsync($"\"useManagedIdentityExtension\": true, \"userAssignedIdentityID\": \"{UserAssigned}\"", imds).WithTimeout();

        Assert.Equal("ok", system["credentials"].Status);
        Assert.Equal("ok", user["credentials"].Status);
        Assert.Contains("managed:system", _arm.IssuedTokens);
        Assert.Contains("managed:" + UserAssigned, _arm.IssuedTokens);
    }

    [ContractFact]
    public async Task NoIdentity_IsAConfigurationFailureNamingTheWays()
    {
        var checks = await DoctorAsync("\"aadClientId\": \"x\"").WithTimeout();

        Assert.Equal("fail", checks["credentials"].Status);
        Assert.Contains("useManagedIdentityExtension", checks["credentials"].Detail, StringComparison.Ordinal);
    }

    [ContractTheory]
    [InlineData("vmss", "k8s-vmss000002", "ok", "scale-set instance k8s-vmss/2")]
    [InlineData("vmss", "k8s-vmss000009", "fail", "has no scale-set instance k8s-vmss/9")]
    [InlineData("standard", "legacy-1", "fail", "unmanaged (blob VHD) OS disk")]
    public async Task NodeVm_IsFoundUnderTheVmType_AndAVmThatCannotTakeManagedDisksIsNamed(string vmType, string node, string status, string detail)
    {
        var checks = await DoctorAsync($$"""
            "aadClientId": "{{SecretClient}}", "aadClientSecret": "{{TestSecrets.Password}}"
            """, vmType: vmType, node: node).WithTimeout();

        Assert.Equal(status, checks["node VM"].Status);
        Assert.Contains(detail, checks["node VM"].Detail, StringComparison.Ordinal);
    }

    private async Task<Dictionary<string, (string Status, string Detail)>> DoctorAsync(string identity, Dictionary<string, string>? environment = null, string vmType = "standard", string node = "node-1")
    {
        var name = Guid.NewGuid().ToString("N")[..8];
        var azureJson = Path.Join(_directory, name + "-azure.json");
        await File.WriteAllTextAsync(azureJson, $$"""
            {
              "cloud": "AzureStackCloud",
              "tenantId": "{{_arm.Options.TenantId}}",
              "subscriptionId": "{{_arm.Options.SubscriptionId}}",
              "resourceGroup": "{{_arm.Options.ResourceGroup}}",
              "location": "{{_arm.Options.Location}}",
              "vmType": "{{vmType}}",
              {{identity}}
            }
            """).WithTimeout();
        var config = Path.Join(_directory, name + "-config.yaml");
        await File.WriteAllTextAsync(config, $"""
            backend: azure
            nodeName: {node}
            azure:
              cloudConfig: {azureJson}
              caCert: {_arm.CaCertificatePemPath}
            log:
              file: {Path.Join(_directory, name + ".log")}
            """).WithTimeout();
        var variables = new Dictionary<string, string>(environment ?? [])
        {
            ["VOLUME_DRIVER_CONFIG"] = config,
            ["AZURE_ENVIRONMENT_FILEPATH"] = _arm.WriteEnvironmentFile(),
        };

        var run = await KubeletExec.RunAsync(["doctor", "--json", "--plugin-dir", _directory, "--driver", "azure~volume-driver"], variables).WithTimeout();
        using var report = JsonDocument.Parse(run.Combined);
        var checks = report.RootElement.GetProperty("checks").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => (c.GetProperty("status").GetString()!, c.GetProperty("detail").GetString()!));
        var everything = run.Combined + string.Join('\n', Directory.EnumerateFiles(_directory, "*.log").Select(File.ReadAllText));
        TestSecrets.AssertAbsentFrom(everything, "doctor's report and log");
        return checks;
    }
}
