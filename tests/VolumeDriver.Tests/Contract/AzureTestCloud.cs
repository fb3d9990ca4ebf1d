using Simulators.Arm;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Contract;

/// <summary>
/// The ARM double as an Azure Stack cloud, with azure.json (a service principal whose secret is a test
/// secret) and one driver configuration per emulated node, for running the published binary as
/// kubelet does on each node. Disposing unmounts what a test left mounted, stops the double and
/// checks that no log holds a test secret.
/// </summary>
public sealed class AzureTestCloud : IAsyncDisposable
{
    private const string Client = "11111111-0000-0000-0000-0000000000aa";

    private readonly List<string> _mounts = [];

    private AzureTestCloud(string directory, ArmSimulator arm)
    {
        Directory = directory;
        Arm = arm;
    }

    public string Directory { get; }

    public ArmSimulator Arm { get; }

    /// <param name="configure">Changes to the double's options (VMs with VHD OS disks, Azurite's accounts for blob disks).</param>
    public static async Task<AzureTestCloud> StartAsync(IReadOnlyList<string> nodes, TimeSpan operationTime, string drainWait = "2s", Func<ArmSimulatorOptions, ArmSimulatorOptions>? configure = null)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("vd-azure-").FullName;
        var options = new ArmSimulatorOptions
        {
            StateDirectory = Path.Join(directory, "arm"),
            ClientSecrets = new Dictionary<string, string> { [Client] = TestSecrets.Password },
            EmulatedNodes = nodes.ToDictionary(n => n, n => Path.Join(directory, n, "host")),
            OperationTime = operationTime,
            RetryAfterSeconds = 0,
        };
        var arm = await ArmSimulator.StartAsync(configure is null ? options : configure(options)).WithTimeout();
        var azureJson = Path.Join(directory, "azure.json");
        await File.WriteAllTextAsync(azureJson, $$"""
            {"cloud":"AzureStackCloud","tenantId":"{{arm.Options.TenantId}}","subscriptionId":"{{arm.Options.SubscriptionId}}",
             "resourceGroup":"{{arm.Options.ResourceGroup}}","location":"{{arm.Options.Location}}","aadClientId":"{{Client}}","aadClientSecret":"{{TestSecrets.Password}}"}
            """).WithTimeout();
        foreach (var node in nodes)
        {
            System.IO.Directory.CreateDirectory(Path.Join(directory, node));
            await File.WriteAllTextAsync(Path.Join(directory, node, "config.yaml"), $"""
                backend: azure
                nodeName: {node}
                azure:
                  cloudConfig: {azureJson}
                  caCert: {arm.CaCertificatePemPath}
                  stateDir: {Path.Join(directory, node, "state")}
                  drainWait: {drainWait}
                log:
                  file: {Path.Join(directory, node, "driver.log")}
                  level: debug
                locking:
                  directory: {Path.Join(directory, node, "locks")}
                node:
                  deviceTimeout: 20s
                  emulationRoot: {Path.Join(directory, node, "host")}
                """).WithTimeout();
        }

        return new AzureTestCloud(directory, arm);
    }

    public static string Options(string volume, string size = "1Gi") =>
        GoJson.Marshal(new Dictionary<string, string> { ["kubernetes.io/fsType"] = "", ["kubernetes.io/pvOrVolumeName"] = volume, ["kubernetes.io/readwrite"] = "rw", ["size"] = size, ["skuname"] = "Premium_LRS" });

    public Task<DriverRun> RunAsync(string node, params string[] args) => KubeletExec.RunAsync(args, new Dictionary<string, string>
    {
        ["VOLUME_DRIVER_CONFIG"] = Path.Join(Directory, node, "config.yaml"),
        ["AZURE_ENVIRONMENT_FILEPATH"] = Arm.WriteEnvironmentFile(),
    });

    public async Task<GoDriverStatus> ExpectAsync(string node, string status, params string[] args)
    {
        var run = await RunAsync(node, args).WithTimeout();
        var log = Path.Join(Directory, node, "driver.log");
        Assert.True(run.Status.Status == status, $"{node}: volume-driver {string.Join(' ', args)} answered {run.Text}; expected {status}\n{(File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(30)) : string.Empty)}");
        return run.Status;
    }

    public string MountPath(string node, string volume)
    {
        var path = Path.Join(Directory, node, "kubelet", "plugins", "kubernetes.io", "flexvolume", "azure", "volume-driver", "mounts", volume);
        lock (_mounts)
        {
            _mounts.Add(path);
        }

        return path;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var mount in _mounts)
        {
            for (var attempt = 0; attempt < 10 && LoopVolumeFixture.IsMountPoint(mount); attempt++)
            {
                await LoopVolumeFixture.RunToolAsync("umount", mount).WithTimeout();
            }
        }

        await Arm.DisposeAsync().WithTimeout();
        var logs = string.Join('\n', System.IO.Directory.EnumerateFiles(Directory, "*.log", SearchOption.AllDirectories).Select(File.ReadAllText));
        System.IO.Directory.Delete(Directory, recursive: true);
        TestSecrets.AssertAbsentFrom(logs, "the Azure test logs");
    }
}
