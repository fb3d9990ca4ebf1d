using Simulators.VCloud;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Contract;

/// <summary>
/// The vCD double with emulated nodes (node-1..node-3, each with its own emulation root, state and
/// configuration), for running the published binary as kubelet runs it on each node. Attaching a disk
/// to an emulated node's VM gives it a real loop device and udev-style links in that node's root,
/// so the kubelet sequence ends on a real filesystem. Cleanup unmounts what a test left mounted.
/// </summary>
public sealed class VCloudNodeFixture : IAsyncDisposable
{
    public static readonly string[] Nodes = ["node-1", "node-2", "node-3"];

    private readonly List<string> _mounts = [];

    private VCloudNodeFixture(string root, VCloudDirectorSimulator simulator)
    {
        Root = root;
        Simulator = simulator;
    }

    public string Root { get; }

    public VCloudDirectorSimulator Simulator { get; }

    public static async Task<VCloudNodeFixture> StartAsync(string? etcdEndpoint = null, string extraVCloudYaml = "", TimeSpan? taskRunTime = null, string deviceTimeout = "20s", string drainWait = "5s", Func<VCloudSimulatorOptions, VCloudSimulatorOptions>? simulatorOptions = null)
    {
        var root = Directory.CreateTempSubdirectory("vd-vcloud-").FullName;
        var emulated = Nodes.ToDictionary(n => n, n => Path.Join(root, n, "host"));
        var options = new VCloudSimulatorOptions
        {
            StateDirectory = Path.Join(root, "vcd"),
            Users = new Dictionary<string, string> { ["k8s"] = TestSecrets.Password },
            EmulatedNodes = emulated,
            TaskRunTime = taskRunTime ?? TimeSpan.FromMilliseconds(150),
        };
        var simulator = await VCloudDirectorSimulator.StartAsync(simulatorOptions is null ? options : simulatorOptions(options)).WithTimeout();
        foreach (var node in Nodes)
        {
            Directory.CreateDirectory(Path.Join(root, node));
            var etcd = etcdEndpoint is null ? string.Empty : $"""

                  etcd:
                    host: 127.0.0.1
                    port: {new Uri(etcdEndpoint).Port}
                    timeout: 5
                    lease_ttl: 5s
                """;
            File.WriteAllText(Path.Join(root, node, "config.yaml"), $"""
                nodeName: {node}
                vcloud:
                  host: {simulator.BaseUri}
                  org: {simulator.Options.Org}
                  vdc: {simulator.Options.Vdc}
                  username: k8s
                  password: {TestSecrets.Password}
                  verify_ssl_certs: True
                  ca_cert: {simulator.CaCertificatePemPath}
                  api_version: '32.0'
                  default_storage: T1
                  state_dir: {Path.Join(root, node, "state")}
                  task_timeout: 60s
                  drain_wait: {drainWait}
                {extraVCloudYaml}{etcd}
                log:
                  file: {Path.Join(root, node, "driver.log")}
                  level: debug
                locking:
                  directory: {Path.Join(root, node, "locks")}
                  timeout: 120s
                node:
                  deviceTimeout: {deviceTimeout}
                  emulationRoot: {emulated[node]}
                """);
        }

        return new VCloudNodeFixture(root, simulator);
    }

    public string ConfigOf(string node) => Path.Join(Root, node, "config.yaml");

    public string LogOf(string node) => Path.Join(Root, node, "driver.log");

    public string EmulationRootOf(string node) => Path.Join(Root, node, "host");

    public static string Options(string volume, string? size = "1Gi", string fsType = "", IReadOnlyDictionary<string, string>? extra = null)
    {
        var options = new Dictionary<string, string>
        {
            ["kubernetes.io/fsType"] = fsType,
            ["kubernetes.io/pvOrVolumeName"] = volume,
            ["kubernetes.io/readwrite"] = "rw",
        };
        if (size is not null)
        {
            options["size"] = size;
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            options[key] = value;
        }

        return GoJson.Marshal(options);
    }

    /// <summary>kubelet's device mount path for the volume on a node, unmounted at cleanup.</summary>
    public string MountPath(string node, string volume)
    {
        var path = Path.Join(Root, node, "kubelet", "plugins", "kubernetes.io", "flexvolume", "answear.com", "vcloud", "mounts", volume);
        lock (_mounts)
        {
            _mounts.Add(path);
        }

        return path;
    }

    public Task<DriverRun> RunAsync(string node, params string[] args) =>
        KubeletExec.RunAsync(args, new Dictionary<string, string> { ["VOLUME_DRIVER_CONFIG"] = ConfigOf(node) });

    public async Task<GoDriverStatus> ExpectAsync(string node, string status, params string[] args)
    {
        var run = await RunAsync(node, args).WithTimeout();
        Assert.True(run.Status.Status == status, $"{node}: volume-driver {string.Join(' ', args)} answered {run.Text} (exit {run.ExitCode}); expected {status}\n--- log ---\n{ReadLog(node)}");
        Assert.Equal(status == "Failure" ? 1 : 0, run.ExitCode);
        return run.Status;
    }

    public string ReadLog(string node) => File.Exists(LogOf(node)) ? string.Join('\n', File.ReadAllLines(LogOf(node)).TakeLast(40)) : "(no log)";

    public async ValueTask DisposeAsync()
    {
        string[] mounts;
        lock (_mounts)
        {
            mounts = [.. _mounts];
        }

        foreach (var mount in mounts)
        {
            for (var attempt = 0; attempt < 10 && LoopVolumeFixture.IsMountPoint(mount); attempt++)
            {
                await LoopVolumeFixture.RunToolAsync("umount", mount).WithTimeout();
            }
        }

        await Simulator.DisposeAsync().WithTimeout();
        var logs = Directory.EnumerateFiles(Root, "*.log", SearchOption.AllDirectories).ToList();
        var text = string.Join('\n', logs.Select(File.ReadAllText));
        Directory.Delete(Root, recursive: true);
        TestSecrets.AssertAbsentFrom(text, string.Join(", ", logs));
    }
}
