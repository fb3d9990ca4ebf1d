using System.Globalization;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Contract;

/// <summary>
/// The one run path through the published binary, for kubelet's verbs and the operators' commands
/// alike: SIGTERM (kubelet's timeout) and SIGINT (an operator's Ctrl-C) while the driver waits on a
/// cloud endpoint that holds the request open, and an unexpected exception, each end in one Failure,
/// exit 1, and the command's line in the log.
/// </summary>
public sealed class VerbRunnerContractTests
{
    private const string Client = "11111111-0000-0000-0000-0000000000aa";
    private const string Options = "{\"kubernetes.io/fsType\":\"\",\"kubernetes.io/pvOrVolumeName\":\"pv-1\",\"kubernetes.io/readwrite\":\"rw\",\"size\":\"1Gi\"}";

    [ContractTheory]
    [InlineData("SIGTERM", "list", "--json")]
    [InlineData("SIGINT", "list")]
    [InlineData("SIGTERM", "migrate-vhd", "https://pvvhds.blob.local.azurestack.external/vhds/pv-1.vhd")]
    [InlineData("SIGTERM", "attach", Options, "node-1")]
    [InlineData("SIGTERM", "isattached", Options, "node-1")]
    public async Task Command_SignalWhileACloudCallIsHeldOpen_RepliesOneFailureNamingTheSignal_AndLogsIt(string signal, params string[] args)
    {
        var directory = Directory.CreateTempSubdirectory("vd-held-").FullName;
        try
        {
            await using var cloud = await HeldRequestDouble.StartAsync(Path.Join(directory, "double")).WithTimeout();
            var environment = WriteAzureNode(directory, cloud);

            var run = await KubeletExec.RunAsync(args, environment, stdin: null, timeout: TimeSpan.FromMinutes(1), onStarted: async process =>
            {
                // The double has the driver's request: the verb is inside a cloud call now.
                await cloud.Received.WithTimeout(TimeSpan.FromSeconds(30));
                await LoopVolumeFixture.RunToolAsync("kill", "-" + signal[3..], process.Id.ToString(CultureInfo.InvariantCulture)).WithTimeout();
            }).WithTimeout();

            Assert.True(run.ExitCode == 1, $"exit {run.ExitCode}: {run.Text}");
            Assert.Equal("Failure", run.Status.Status);
            Assert.Equal($"{args[0]} was interrupted by {signal} before it finished; it is safe to run again", run.Status.Message);
            Assert.Equal(string.Empty, run.ShellStderr);

            var log = await File.ReadAllTextAsync(Path.Join(directory, "driver.log")).WithTimeout();
            Assert.Contains($"{args[0]} ", log, StringComparison.Ordinal);
            Assert.Contains($"-> Failure in ", log, StringComparison.Ordinal);
            Assert.Contains($"interrupted by {signal}", log, StringComparison.Ordinal);
            TestSecrets.AssertAbsentFrom(log, "the driver's log");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [ContractFact]
    public async Task MigrateVhd_LogsItsArgumentsRedacted_NeverTheSasToken()
    {
        const string signature = "c2lnbmF0dXJlLW9mLWEtc2Fz";
        var directory = Directory.CreateTempSubdirectory("vd-args-").FullName;
        try
        {
            await using var cloud = await HeldRequestDouble.StartAsync(Path.Join(directory, "double")).WithTimeout();
            var environment = WriteAzureNode(directory, cloud);

            var run = await KubeletExec.RunAsync(["migrate-vhd", $"https://pvvhds.blob.local.azurestack.external/vhds/pv-1.vhd?sv=2019-07-07&sig={signature}", "--name", "pv-1"], environment, timeout: TimeSpan.FromMinutes(1)).WithTimeout();

            Assert.Equal((1, "Failure"), (run.ExitCode, run.Status.Status));
            Assert.Contains("without a query or SAS token", run.Status.Message, StringComparison.Ordinal);
            Assert.Empty(cloud.Requests);
            var log = await File.ReadAllTextAsync(Path.Join(directory, "driver.log")).WithTimeout();
            Assert.Contains("migrate-vhd https://pvvhds.blob.local.azurestack.external/vhds/pv-1.vhd?*** --name pv-1 -> Failure in ", log, StringComparison.Ordinal);
            Assert.DoesNotContain(signature, log + run.Text, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [ContractFact]
    public async Task Detach_UnexpectedException_IsOneFailureWithoutAStackTrace_AndTheLogHasTheTraceAndTheVerbsLine()
    {
        var directory = Directory.CreateTempSubdirectory("vd-crash-").FullName;
        try
        {
            await using var cloud = await HeldRequestDouble.StartAsync(Path.Join(directory, "double")).WithTimeout();
            var environment = WriteAzureNode(directory, cloud);
            // The volume's record (which disk a PV uses) is read before any cloud call; a directory in
            // its place is nothing the driver expects, so reading it throws an exception no code handles.
            Directory.CreateDirectory(Path.Join(directory, "state", "volumes", "pv-crash"));

            var run = await KubeletExec.RunAsync(["detach", "pv-crash", "node-1"], environment, timeout: TimeSpan.FromMinutes(1)).WithTimeout();

            Assert.True(run.ExitCode == 1, $"exit {run.ExitCode}: {run.Text}");
            Assert.Equal("Failure", run.Status.Status);
            Assert.StartsWith("internal error: ", run.Status.Message, StringComparison.Ordinal);
            Assert.EndsWith("; see the log file for details", run.Status.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", run.Text, StringComparison.Ordinal);
            Assert.Empty(cloud.Requests);

            var log = await File.ReadAllTextAsync(Path.Join(directory, "driver.log")).WithTimeout();
            Assert.Contains("detach failed unexpectedly", log, StringComparison.Ordinal);
            Assert.Contains("   at ", log, StringComparison.Ordinal);
            Assert.Contains("detach pv-crash node-1 -> Failure in ", log, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>A node of an Azure Stack cloud whose every endpoint is <paramref name="cloud"/>; returns the driver's environment.</summary>
    private static Dictionary<string, string> WriteAzureNode(string directory, HeldRequestDouble cloud)
    {
        var azureJson = Path.Join(directory, "azure.json");
        File.WriteAllText(azureJson, $$"""
            {"cloud":"AzureStackCloud","tenantId":"72f988bf-86f1-41af-91ab-2d7cd011db47","subscriptionId":"00000000-1111-2222-3333-444444444444",
             "resourceGroup":"k8s-rg","location":"local","aadClientId":"{{Client}}","aadClientSecret":"{{TestSecrets.Password}}"}
            """);
        var config = Path.Join(directory, "config.yaml");
        File.WriteAllText(config, $"""
            backend: azure
            nodeName: node-1
            azure:
              cloudConfig: {azureJson}
              caCert: {cloud.CaCertificatePemPath}
              stateDir: {Path.Join(directory, "state")}
            log:
              file: {Path.Join(directory, "driver.log")}
              level: debug
            locking:
              directory: {Path.Join(directory, "locks")}
            """);
        return new Dictionary<string, string>
        {
            ["VOLUME_DRIVER_CONFIG"] = config,
            ["AZURE_ENVIRONMENT_FILEPATH"] = cloud.WriteAzureEnvironmentFile(directory),
        };
    }
}
