using System.Text.Json.Nodes;
using Simulators.Arm;
using Simulators.VCloud;

namespace Simulators;

/// <summary>
/// The ARM and vCD doubles for scripts/bench.py: serves both on 127.0.0.1 with one disk each
/// (seeded, attached on vCD), writes a driver configuration for each into a directory, prints one
/// JSON line naming those files, and runs until its stdin closes.
/// </summary>
internal static class BenchDoubles
{
    private const string Client = "bench-client";
    private const string Secret = "Bench-Pa55-w0rd!";
    private const string Node = "node-1";

    public static async Task<int> RunAsync(string directory)
    {
        directory = Path.GetFullPath(directory);
        Directory.CreateDirectory(directory);
        await using var arm = await ArmSimulator.StartAsync(new ArmSimulatorOptions
        {
            StateDirectory = Path.Join(directory, "arm"),
            ClientSecrets = new Dictionary<string, string> { [Client] = Secret },
            RetryAfterSeconds = 0,
        });
        arm.SeedDisk("pv-bench", 1);
        await using var vcloud = await VCloudDirectorSimulator.StartAsync(new VCloudSimulatorOptions
        {
            StateDirectory = Path.Join(directory, "vcd"),
            Users = new Dictionary<string, string> { ["k8s"] = Secret },
        });
        vcloud.SeedDisk("pv-bench", 1024);
        await vcloud.SeedAttachmentAsync("pv-bench", Node);

        var azureJson = Path.Join(directory, "azure.json");
        File.WriteAllText(azureJson, new JsonObject
        {
            ["cloud"] = "AzureStackCloud",
            ["tenantId"] = arm.Options.TenantId,
            ["subscriptionId"] = arm.Options.SubscriptionId,
            ["resourceGroup"] = arm.Options.ResourceGroup,
            ["location"] = arm.Options.Location,
            ["aadClientId"] = Client,
            ["aadClientSecret"] = Secret,
        }.ToJsonString());
        var armConfig = Path.Join(directory, "azure.yaml");
        File.WriteAllText(armConfig, $"""
            backend: azure
            nodeName: {Node}
            azure:
              cloudConfig: {azureJson}
              caCert: {arm.CaCertificatePemPath}
              stateDir: {Path.Join(directory, "azure-state")}
            log:
              file: {Path.Join(directory, "azure.log")}
            locking:
              directory: {Path.Join(directory, "azure-locks")}
            """);
        var vcloudConfig = Path.Join(directory, "vcloud.yaml");
        File.WriteAllText(vcloudConfig, $"""
            nodeName: {Node}
            vcloud:
              host: {vcloud.BaseUri}
              org: {vcloud.Options.Org}
              vdc: {vcloud.Options.Vdc}
              username: k8s
              password: {Secret}
              verify_ssl_certs: True
              ca_cert: {vcloud.CaCertificatePemPath}
              api_version: '32.0'
              default_storage: T1
              state_dir: {Path.Join(directory, "vcloud-state")}
            log:
              file: {Path.Join(directory, "vcloud.log")}
            locking:
              directory: {Path.Join(directory, "vcloud-locks")}
            """);

        Console.WriteLine(new JsonObject
        {
            ["node"] = Node,
            ["volume"] = "pv-bench",
            ["armConfig"] = armConfig,
            ["armEnvironmentFile"] = arm.WriteEnvironmentFile(),
            ["vcloudConfig"] = vcloudConfig,
        }.ToJsonString());
        await Console.In.ReadToEndAsync();
        return 0;
    }
}
