using Simulators.Arm;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Contract;

/// <summary>
/// The kubelet sequence for Azure managed disks through the published binary, against the ARM
/// double with emulated nodes whose data disks are real loop devices at their LUN.
/// </summary>
public sealed class AzureLifecycleTests : IAsyncLifetime
{
    private const string Client = "11111111-0000-0000-0000-0000000000aa";

    private readonly List<string> _mounts = [];
    private ArmSimulator _arm = null!;
    private string _directory = null!;

    public async Task InitializeAsync()
    {
        _directory = Directory.CreateTempSubdirectory("vd-azure-life-").FullName;
        _arm = await ArmSimulator.StartAsync(new ArmSimulatorOptions
        {
            StateDirectory = Path.Join(_directory, "arm"),
            ClientSecrets = new Dictionary<string, string> { [Client] = TestSecrets.Password },
            EmulatedNodes = new Dictionary<string, string> { ["node-1"] = Path.Join(_directory, "node-1", "host"), ["node-2"] = Path.Join(_directory, "node-2", "host") },
            OperationTime = TimeSpan.FromMilliseconds(100),
            RetryAfterSeconds = 0,
        });
        var azureJson = Path.Join(_directory, "azure.json");
        await File.WriteAllTextAsync(azureJson, $$"""
            {"cloud":"AzureStackCloud","tenantId":"{{_arm.Options.TenantId}}","subscriptionId":"{{_arm.Options.SubscriptionId}}",
             "resourceGroup":"{{_arm.Options.ResourceGroup}}","location":"{{_arm.Options.Location}}","aadClientId":"{{Client}}","aadClientSecret":"{{TestSecrets.Password}}"}
            """);
        foreach (var node in new[] { "node-1", "node-2" })
        {
            Directory.CreateDirectory(Path.Join(_directory, node));
            await File.WriteAllTextAsync(Path.Join(_directory, node, "config.yaml"), $"""
                backend: azure
                nodeName: {node}
                azure:
                  cloudConfig: {azureJson}
                  caCert: {_arm.CaCertificatePemPath}
                  stateDir: {Path.Join(_directory, node, "state")}
                  drainWait: 2s
                log:
                  file: {Path.Join(_directory, node, "driver.log")}
                  level: debug
                locking:
                  directory: {Path.Join(_directory, node, "locks")}
                node:
                  deviceTimeout: 20s
                  emulationRoot: {Path.Join(_directory, node, "host")}
                """);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var mount in _mounts)
        {
            for (var attempt = 0; attempt < 10 && LoopVolumeFixture.IsMountPoint(mount); attempt++)
            {
                await LoopVolumeFixture.RunToolAsync("umount", mount);
            }
        }

        await _arm.DisposeAsync();
        var logs = string.Join('\n', Directory.EnumerateFiles(_directory, "*.log", SearchOption.AllDirectories).Select(File.ReadAllText));
        Directory.Delete(_directory, recursive: true);
        TestSecrets.AssertAbsentFrom(logs, "the Azure lifecycle logs");
    }

    private async Task<GoDriverStatus> ExpectAsync(string node, string status, params string[] args)
    {
        var run = await KubeletExec.RunAsync(args, new Dictionary<string, string>
        {
            ["VOLUME_DRIVER_CONFIG"] = Path.Join(_directory, node, "config.yaml"),
            ["AZURE_ENVIRONMENT_FILEPATH"] = _arm.WriteEnvironmentFile(),
        });
        var log = Path.Join(_directory, node, "driver.log");
        Assert.True(run.Status.Status == status, $"{node}: volume-driver {string.Join(' ', args)} answered {run.Text}; expected {status}\n{(File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(30)) : string.Empty)}");
        return run.Status;
    }

    private string MountPath(string node, string volume)
    {
        var path = Path.Join(_directory, node, "kubelet", "plugins", "kubernetes.io", "flexvolume", "azure", "volume-driver", "mounts", volume);
        _mounts.Add(path);
        return path;
    }

    private static string Options(string volume, string size = "1Gi") =>
        GoJson.Marshal(new Dictionary<string, string> { ["kubernetes.io/fsType"] = "", ["kubernetes.io/pvOrVolumeName"] = volume, ["kubernetes.io/readwrite"] = "rw", ["size"] = size, ["skuname"] = "Premium_LRS" });

    [LifecycleFact]
    public async Task KubeletSequence_FindsTheDiskByLun_AndKeepsTheDataAcrossDetachAndAttach()
    {
        var options = Options("pv-az");
        var mount = MountPath("node-1", "pv-az");

        var device = (await ExpectAsync("node-1", "Success", "attach", options, "node-1")).Device!;
        Assert.Equal("/dev/disk/azure/scsi1/lun0", device);
        Assert.True((await ExpectAsync("node-1", "Success", "isattached", options, "node-1")).Attached);
        Assert.Equal(device, (await ExpectAsync("node-1", "Success", "waitforattach", device, options)).Device);
        await ExpectAsync("node-1", "Success", "mountdevice", mount, device, options);
        await File.WriteAllTextAsync(Path.Join(mount, "data.txt"), "on azure");

        // A mounted disk cannot be detached: the emulated guest refuses, and the Failure says so.
        await ExpectAsync("node-1", "Failure", "detach", "pv-az", "node-1");
        await ExpectAsync("node-1", "Success", "unmountdevice", mount);
        await ExpectAsync("node-1", "Success", "detach", "pv-az", "node-1");
        Assert.False((await ExpectAsync("node-1", "Success", "isattached", options, "node-1")).Attached);

        var again = (await ExpectAsync("node-1", "Success", "attach", options, "node-1")).Device!;
        await ExpectAsync("node-1", "Success", "waitforattach", again, options);
        await ExpectAsync("node-1", "Success", "mountdevice", mount, again, options);
        Assert.Equal("on azure", await File.ReadAllTextAsync(Path.Join(mount, "data.txt")));
        await ExpectAsync("node-1", "Success", "unmountdevice", mount);
        await ExpectAsync("node-1", "Success", "detach", "pv-az", "node-1");
        await ExpectAsync("node-1", "Success", "delete", "pv-az");
        Assert.Empty(_arm.Disks());
    }

    [LifecycleFact]
    public async Task Drain_TheNewNodeIsRefusedUntilTheOldOneDetaches_ThenGetsTheData()
    {
        var options = Options("pv-move");
        var oldMount = MountPath("node-1", "pv-move");
        var newMount = MountPath("node-2", "pv-move");
        var device = (await ExpectAsync("node-1", "Success", "attach", options, "node-1")).Device!;
        await ExpectAsync("node-1", "Success", "waitforattach", device, options);
        await ExpectAsync("node-1", "Success", "mountdevice", oldMount, device, options);
        await File.WriteAllTextAsync(Path.Join(oldMount, "data.txt"), "moved");

        var early = await ExpectAsync("node-2", "Failure", "attach", options, "node-2");
        Assert.Contains("VM 'node-1'", early.Message, StringComparison.Ordinal);

        await ExpectAsync("node-1", "Success", "unmountdevice", oldMount);
        await ExpectAsync("node-1", "Success", "detach", "pv-move", "node-1");
        var moved = (await ExpectAsync("node-2", "Success", "attach", options, "node-2")).Device!;
        await ExpectAsync("node-2", "Success", "waitforattach", moved, options);
        await ExpectAsync("node-2", "Success", "mountdevice", newMount, moved, options);
        Assert.Equal("moved", await File.ReadAllTextAsync(Path.Join(newMount, "data.txt")));
        await ExpectAsync("node-2", "Success", "unmountdevice", newMount);
        await ExpectAsync("node-2", "Success", "detach", "pv-move", "node-2");
    }
}

/// <summary>16 attaches to one VM at once, each its own driver process, as kubelet starts 16 pods.</summary>
public sealed class AzureBatchingTests
{
    [LifecycleFact]
    public async Task SixteenConcurrentAttaches_DistinctLuns_FoundWhereTheVmSays_InAFewVmUpdates()
    {
        var directory = Directory.CreateTempSubdirectory("vd-azure-batch-").FullName;
        try
        {
            await RunAsync(directory);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task RunAsync(string directory)
    {
        await using var arm = await ArmSimulator.StartAsync(new ArmSimulatorOptions
        {
            StateDirectory = Path.Join(directory, "arm"),
            ClientSecrets = new Dictionary<string, string> { ["batch-client"] = TestSecrets.Password },
            EmulatedNodes = new Dictionary<string, string> { ["node-1"] = Path.Join(directory, "host") },
            OperationTime = TimeSpan.FromMilliseconds(300),
            RetryAfterSeconds = 0,
        });
        try
        {
            var azureJson = Path.Join(directory, "azure.json");
            await File.WriteAllTextAsync(azureJson, $$"""
                {"cloud":"AzureStackCloud","tenantId":"{{arm.Options.TenantId}}","subscriptionId":"{{arm.Options.SubscriptionId}}",
                 "resourceGroup":"{{arm.Options.ResourceGroup}}","location":"{{arm.Options.Location}}","aadClientId":"batch-client","aadClientSecret":"{{TestSecrets.Password}}"}
                """);
            var config = Path.Join(directory, "config.yaml");
            await File.WriteAllTextAsync(config, $"""
                backend: azure
                nodeName: node-1
                azure:
                  cloudConfig: {azureJson}
                  caCert: {arm.CaCertificatePemPath}
                  stateDir: {Path.Join(directory, "state")}
                log:
                  file: {Path.Join(directory, "driver.log")}
                locking:
                  directory: {Path.Join(directory, "locks")}
                node:
                  emulationRoot: {Path.Join(directory, "host")}
                """);
            var environment = new Dictionary<string, string> { ["VOLUME_DRIVER_CONFIG"] = config, ["AZURE_ENVIRONMENT_FILEPATH"] = arm.WriteEnvironmentFile() };
            string Options(int i) => GoJson.Marshal(new Dictionary<string, string> { ["kubernetes.io/pvOrVolumeName"] = $"pv-b{i:00}", ["kubernetes.io/fsType"] = "", ["size"] = "1Gi" });

            // The disks exist already (provisioned earlier), so the attaches race for the VM only.
            foreach (var i in Enumerable.Range(0, 16))
            {
                arm.SeedDisk($"pv-b{i:00}", 1);
            }

            var runs = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => KubeletExec.RunAsync(["attach", Options(i), "node-1"], environment)));

            Assert.All(runs, run => Assert.True(run.Status.Status == "Success", run.Text));
            var devices = runs.Select(r => r.Status.Device!).ToList();
            Assert.Equal(16, devices.Distinct().Count());
            var updates = arm.VmUpdates;
            foreach (var i in Enumerable.Range(0, 16))
            {
                var lun = arm.Disks().Single(d => d.Name == $"pv-b{i:00}").Lun;
                Assert.Equal("/dev/disk/azure/scsi1/lun" + lun, devices[i]);
                var found = await KubeletExec.RunAsync(["waitforattach", devices[i], Options(i)], environment);
                Assert.True(found.Status.Device == devices[i], found.Text);
            }

            Assert.True(updates <= 4, $"16 attaches took {updates} VM updates");
        }
        finally
        {
            await arm.WaitForIdleAsync(TimeSpan.FromSeconds(30));
        }
    }
}
