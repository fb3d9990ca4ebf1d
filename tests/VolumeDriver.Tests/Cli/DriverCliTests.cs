using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using VolumeDriver.Cli;
using VolumeDriver.Configuration;
using VolumeDriver.Diagnostics;
using VolumeDriver.Domain;
using VolumeDriver.FlexVolume;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Cli;

public sealed class DriverCliTests : IDisposable
{
    private const string MountPath = "/var/lib/kubelet/plugins/kubernetes.io/flexvolume/acme/vd/mounts/pv-1";
    private const string Options = "{\"kubernetes.io/fsType\":\"\",\"kubernetes.io/pvOrVolumeName\":\"pv-1\",\"kubernetes.io/readwrite\":\"rw\",\"size\":\"1Gi\"}";

    private readonly FakeCloudDisk _disk = new();
    private readonly FakeNode _node = new();
    private readonly Interruption _interruption = new();

    public void Dispose() => _interruption.Dispose();

    [Fact]
    public async Task Init_ReportsCapabilitiesAsBooleans()
    {
        var (exit, json) = await RunAsync("init", "--pretty").WithTimeout();
        Assert.Equal(0, exit);
        Assert.Equal("Success", json.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.True, json.GetProperty("capabilities").GetProperty("attach").ValueKind);
        Assert.Equal(JsonValueKind.True, json.GetProperty("capabilities").GetProperty("requiresFSResize").ValueKind);
    }

    [Fact]
    public async Task Attach_JsonThenNode_ReturnsTheDevice()
    {
        var (exit, json) = await RunAsync("attach", Options, "node-1").WithTimeout();
        Assert.Equal(0, exit);
        Assert.Equal("/dev/fake/pv-1", json.GetProperty("device").GetString());
        Assert.Contains("attach pv-1 node-1 1Gi", _disk.Calls);
    }

    [Fact]
    public async Task Attach_JsonFromStdin_IsRead()
    {
        var (exit, json) = await RunWithStdinAsync(Options, "attach", "-", "node-1").WithTimeout();
        Assert.Equal(0, exit);
        Assert.Equal("/dev/fake/pv-1", json.GetProperty("device").GetString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task IsAttached_EitherArgumentOrder_Answers(bool jsonFirst)
    {
        _disk.AttachedTo["pv-1"] = "node-1";
        var (exit, json) = jsonFirst ? await RunAsync("isattached", Options, "node-1").WithTimeout() : await RunAsync("isattached", "node-1", Options).WithTimeout();
        Assert.Equal(0, exit);
        Assert.Equal(JsonValueKind.True, json.GetProperty("attached").ValueKind);
        Assert.Contains("isattached pv-1 node-1", _disk.Calls);
    }

    [Fact]
    public async Task Detach_TakesANameNotADevice()
    {
        var (exit, json) = await RunAsync("detach", "pv-1", "node-1").WithTimeout();
        Assert.Equal(0, exit);
        Assert.Equal("Success", json.GetProperty("status").GetString());
        Assert.Contains("detach pv-1 node-1", _disk.Calls);
    }

    [Fact]
    public async Task WaitForAttach_EmptyDevicePath_FindsTheDeviceByIdentity()
    {
        _node.Devices["/images/pv-1.img"] = "/dev/loop7";
        var (exit, json) = await RunAsync("waitforattach", "", Options).WithTimeout();
        Assert.Equal(0, exit);
        Assert.Equal("/dev/loop7", json.GetProperty("device").GetString());
    }

    [Fact]
    public async Task MountDevice_ReadOnlyWithOptions_ReachesTheMounter()
    {
        _node.Devices["/images/pv-1.img"] = "/dev/loop7";
        var options = "{\"kubernetes.io/fsType\":\"xfs\",\"kubernetes.io/pvOrVolumeName\":\"pv-1\",\"kubernetes.io/readwrite\":\"ro\",\"mountOptions\":\"noatime\"}";
        var (exit, _) = await RunAsync("mountdevice", MountPath, "/dev/loop7", options).WithTimeout();
        Assert.Equal(0, exit);
        Assert.Contains($"mount /dev/loop7 {MountPath} xfs ro=True [noatime,nosuid,nodev]", _node.Calls);
    }

    [Fact]
    public async Task MountDevice_DeviceOfAnotherVolume_IsRefusedBeforeMounting()
    {
        _node.Devices["/images/pv-1.img"] = "/dev/loop7";
        var (exit, json) = await RunAsync("mountdevice", MountPath, "/dev/loop2", Options).WithTimeout();
        Assert.Equal(1, exit);
        Assert.Contains("/dev/loop7", json.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(_node.Calls, c => c.StartsWith("mount ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/etc")]
    [InlineData("/var/lib/kubelet/pods/8a/volumes/acme~vd/pv-1")]
    public async Task UnmountDevice_PathOutsideKubeletsDeviceMounts_IsRefused(string path)
    {
        var (exit, json) = await RunAsync("unmountdevice", path).WithTimeout();
        Assert.Equal(1, exit);
        Assert.Contains("deviceMountPath", json.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(_node.Calls);
    }

    [Fact]
    public async Task UnmountDevice_TakesOnlyThePath()
    {
        var (exit, _) = await RunAsync("unmountdevice", MountPath).WithTimeout();
        Assert.Equal(0, exit);
        Assert.Contains($"unmount {MountPath}", _node.Calls);
    }

    [Theory]
    [InlineData("getvolumename", Options)]
    [InlineData("getvolumename")]
    [InlineData("getvolumename", "not json", "--weird")]
    [InlineData("mount", "/pods/x", Options)]
    [InlineData("unmount", "/pods/x")]
    [InlineData("frobnicate")]
    [InlineData("provision", Options)]
    [InlineData("")]
    public async Task UnsupportedOrUnknownVerb_IsNotSupportedWhateverTheArguments(params string[] args)
    {
        var (exit, json) = await RunAsync(args).WithTimeout();
        Assert.Equal(0, exit);
        Assert.Equal("Not supported", json.GetProperty("status").GetString());
        Assert.Empty(_disk.Calls);
    }

    [Theory]
    [InlineData("attach", Options)]
    [InlineData("attach", Options, "node-1", "extra")]
    [InlineData("detach", "pv-1")]
    [InlineData("mountdevice", "/mnt/x", "/dev/loop1")]
    [InlineData("unmountdevice")]
    [InlineData("isattached", Options)]
    [InlineData("init", "extra")]
    [InlineData("expandvolume", Options, "/mnt", "2147483648")]
    [InlineData("expandfs", Options, "/dev/loop7", "/mnt", "2147483648")]
    [InlineData("expandfs", Options, "/dev/loop7", "/mnt", "2147483648", "1073741824", "extra")]
    public async Task MissingOrExtraArguments_AreAFailureNamingTheVerb(params string[] args)
    {
        var (exit, json) = await RunAsync(args).WithTimeout();
        Assert.Equal(1, exit);
        Assert.Equal("Failure", json.GetProperty("status").GetString());
        Assert.Contains(args[0], json.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(_disk.Calls);
    }

    [Fact]
    public async Task ExpandVolume_Grows_TheDiskInTheBackend()
    {
        var (exit, json) = await RunAsync("expandvolume", Options, MountPath, "2147483648", "1073741824").WithTimeout();
        Assert.Equal(0, exit);
        Assert.Equal("{\"status\":\"Success\"}", json.GetRawText());
        Assert.Equal(["resize pv-1 2Gi"], _disk.Calls);
    }

    [Fact]
    public async Task ExpandVolume_EqualSizes_StillAsksTheBackend_WhichConverges()
    {
        var (exit, _) = await RunAsync("expandvolume", Options, MountPath, "1073741824", "1073741824").WithTimeout();
        Assert.Equal(0, exit);
        Assert.Equal(["resize pv-1 1Gi"], _disk.Calls);
    }

    [Fact]
    public async Task ExpandVolume_BackendRefusesToShrink_IsAFailure()
    {
        _disk.Sizes["pv-1"] = VolumeDriver.Domain.ByteSize.FromGiB(4);
        var (exit, json) = await RunAsync("expandvolume", Options, MountPath, "2147483648", "1073741824").WithTimeout();
        Assert.Equal(1, exit);
        Assert.Contains("shrink", json.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc", "1073741824", "newSizeBytes")]
    [InlineData("-1", "1073741824", "newSizeBytes")]
    [InlineData("0", "1073741824", "newSizeBytes")]
    [InlineData("+2147483648", "1073741824", "newSizeBytes")]
    [InlineData(" 2147483648", "1073741824", "newSizeBytes")]
    [InlineData("2Gi", "1073741824", "newSizeBytes")]
    [InlineData("2e9", "1073741824", "newSizeBytes")]
    [InlineData("", "1073741824", "newSizeBytes")]
    [InlineData("99999999999999999999999", "1073741824", "newSizeBytes")]
    [InlineData("70368744177665", "1073741824", "newSizeBytes")]
    [InlineData("2147483648", "abc", "oldSizeBytes")]
    [InlineData("2147483648", "0", "oldSizeBytes")]
    [InlineData("1073741824", "2147483648", "smaller than oldSizeBytes")]
    public async Task ExpandVerbs_BadSizes_FailNamingTheArgument_WithoutTouchingAnything(string newSize, string oldSize, string expected)
    {
        var volume = await RunAsync("expandvolume", Options, MountPath, newSize, oldSize).WithTimeout();
        var fs = await RunAsync("expandfs", Options, "/dev/loop7", MountPath, newSize, oldSize).WithTimeout();

        foreach (var (exit, json) in new[] { volume, fs })
        {
            Assert.Equal(1, exit);
            Assert.Contains(expected, json.GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        Assert.Empty(_disk.Calls);
        Assert.Empty(_node.Calls);
    }

    [Fact]
    public async Task ExpandVolume_LargestSize_IsAccepted()
    {
        var (exit, _) = await RunAsync("expandvolume", Options, MountPath, "70368744177664", "1073741824").WithTimeout();
        Assert.Equal(0, exit);
        Assert.Equal(["resize pv-1 64Ti"], _disk.Calls);
    }

    [Theory]
    [InlineData("relative", "deviceMountPath")]
    [InlineData("/mnt/../etc", "deviceMountPath")]
    [InlineData("/", "deviceMountPath")]
    public async Task ExpandVolume_BadMountPath_Fails(string path, string expected)
    {
        var (exit, json) = await RunAsync("expandvolume", Options, path, "2147483648", "1073741824").WithTimeout();
        Assert.Equal(1, exit);
        Assert.Contains(expected, json.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(_disk.Calls);
    }

    [Fact]
    public async Task ExpandFs_TheVolumesDevice_ReachesTheResizer()
    {
        _node.Devices["/images/pv-1.img"] = "/dev/loop7";
        var (exit, json) = await RunAsync("expandfs", Options, "/dev/loop7", MountPath, "2147483648", "1073741824").WithTimeout();
        Assert.Equal(0, exit);
        Assert.Equal("{\"status\":\"Success\"}", json.GetRawText());
        Assert.Contains($"expandfs /dev/loop7 {MountPath} 2Gi", _node.Calls);
        Assert.Empty(_disk.Calls);
    }

    [Fact]
    public async Task ExpandFs_DeviceOfAnotherVolume_IsRefusedBeforeResizing()
    {
        _node.Devices["/images/pv-1.img"] = "/dev/loop7";
        var (exit, json) = await RunAsync("expandfs", Options, "/dev/loop2", MountPath, "2147483648", "1073741824").WithTimeout();
        Assert.Equal(1, exit);
        Assert.Contains("/dev/loop7", json.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(_node.Calls, c => c.StartsWith("expandfs ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/tmp/loop7", MountPath, "devicePath")]
    [InlineData("/dev/loop7", "mnt", "deviceMountPath")]
    public async Task ExpandFs_BadPaths_FailNamingTheArgument(string device, string mount, string expected)
    {
        var (exit, json) = await RunAsync("expandfs", Options, device, mount, "2147483648", "1073741824").WithTimeout();
        Assert.Equal(1, exit);
        Assert.Contains(expected, json.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(_node.Calls);
    }

    [Fact]
    public async Task ExpandFs_UnknownOption_Fails()
    {
        _node.Devices["/images/pv-1.img"] = "/dev/loop7";
        var options = "{\"kubernetes.io/pvOrVolumeName\":\"pv-1\",\"sise\":\"2Gi\"}";
        var (exit, json) = await RunAsync("expandfs", options, "/dev/loop7", MountPath, "2147483648", "1073741824").WithTimeout();
        Assert.Equal(1, exit);
        Assert.Contains("sise", json.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(_node.Calls);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("\"a string\"")]
    [InlineData("{\"kubernetes.io/fsType\":")]
    [InlineData("{\"kubernetes.io/pvOrVolumeName\":\"pv-1\",\"size\":\"abc\"}")]
    [InlineData("{\"kubernetes.io/pvOrVolumeName\":\"../../etc\"}")]
    [InlineData("{\"kubernetes.io/fsType\":\"ext4\"}")]
    public async Task Attach_BadOptions_FailsWithoutTouchingTheBackend(string options)
    {
        var (exit, json) = await RunAsync("attach", options, "node-1").WithTimeout();
        Assert.Equal(1, exit);
        Assert.False(string.IsNullOrWhiteSpace(json.GetProperty("message").GetString()));
        Assert.Empty(_disk.Calls);
    }

    [Theory]
    [InlineData("relative/path")]
    [InlineData("/mnt/../etc")]
    [InlineData("/etc")]
    [InlineData("/var/lib/kubelet/plugins/kubernetes.io/flexvolume/acme/vd/mounts/pv-2")]
    public async Task MountDevice_BadMountPath_FailsWithoutMounting(string path)
    {
        var (exit, json) = await RunAsync("mountdevice", path, "/dev/loop7", Options).WithTimeout();
        Assert.Equal(1, exit);
        Assert.Contains("deviceMountPath", json.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(_node.Calls);
    }

    [Theory]
    [InlineData("pv/1")]
    [InlineData("..")]
    public async Task Delete_BadName_FailsWithoutTouchingTheBackend(string name)
    {
        var (exit, _) = await RunAsync("delete", name).WithTimeout();
        Assert.Equal(1, exit);
        Assert.Empty(_disk.Calls);
    }

    [Fact]
    public async Task Detach_BadNodeName_Fails()
    {
        var (exit, json) = await RunAsync("detach", "pv-1", "node_1;reboot").WithTimeout();
        Assert.Equal(1, exit);
        Assert.Contains("node name", json.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_PrintsUsageTextAndExitsZero()
    {
        using var stdout = new MemoryStream();
        var exit = await CreateCli(stdout, "").RunAsync(["attach", "--help"]).WithTimeout();
        Assert.Equal(0, exit);
        Assert.Contains("nodeName", Encoding.UTF8.GetString(stdout.ToArray()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_NamesEveryBackendTheDriverServes()
    {
        using var stdout = new MemoryStream();
        var exit = await CreateCli(stdout, "").RunAsync(["--help"]).WithTimeout();
        var text = Encoding.UTF8.GetString(stdout.ToArray());

        Assert.Equal(0, exit);
        Assert.All(["loop image files", "Azure managed disks", "Azure blob VHDs", "VMware Cloud Director independent disks"], backend => Assert.Contains(backend, text, StringComparison.Ordinal));
        Assert.DoesNotContain("today", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pretty_IndentsTheReply()
    {
        using var stdout = new MemoryStream();
        var exit = await CreateCli(stdout, "", indented: true).RunAsync(["detach", "pv-1", "node-1", "--pretty"]).WithTimeout();
        Assert.Equal(0, exit);
        Assert.Equal("{\n  \"status\": \"Success\"\n}\n", Encoding.UTF8.GetString(stdout.ToArray()));
    }

    [Fact]
    public async Task ListJson_PrintsEveryVolumeWithItsNode()
    {
        _disk.AttachedTo["pv-1"] = "node-1";
        var (exit, json) = await RunAsync("list", "--json").WithTimeout();
        Assert.Equal(0, exit);
        Assert.Equal("Success", json.GetProperty("status").GetString());
        var volume = Assert.Single(json.GetProperty("volumes").EnumerateArray());
        Assert.Equal("pv-1", volume.GetProperty("name").GetString());
        Assert.Equal("node-1", volume.GetProperty("node").GetString());
        Assert.Equal("Standard_LRS", volume.GetProperty("sku").GetString());
        Assert.Equal(1L << 30, volume.GetProperty("sizeBytes").GetInt64());
    }

    [Fact]
    public async Task List_WithoutJson_PrintsATable()
    {
        _disk.AttachedTo["pv-1"] = "node-1";
        using var stdout = new MemoryStream();
        var exit = await CreateCli(stdout, "").RunAsync(["list"]).WithTimeout();
        var text = Encoding.UTF8.GetString(stdout.ToArray());
        Assert.Equal(0, exit);
        Assert.StartsWith("NAME", text, StringComparison.Ordinal);
        Assert.Contains("pv-1", text, StringComparison.Ordinal);
        Assert.Contains("1 volume(s), 1 attached", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a~b~c")]
    [InlineData("volume-driver")]
    [InlineData("Example.com~volume-driver")]
    public async Task Install_DriverNameKubeletRejects_IsAFailureNamingTheRule(string driver)
    {
        var (exit, json) = await RunAsync("install", "--plugin-dir", "/nonexistent-volume-driver-dir", "--driver", driver).WithTimeout();
        Assert.Equal(1, exit);
        Assert.Contains("--driver", json.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists("/nonexistent-volume-driver-dir"));
    }

    [Fact]
    public async Task Install_WithoutPluginDir_IsAFailureNotUsage()
    {
        var (exit, json) = await RunAsync("install", "--driver", "example.com~volume-driver").WithTimeout();
        Assert.Equal(1, exit);
        Assert.Contains("--plugin-dir", json.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("doctor")]
    [InlineData("install")]
    [InlineData("list")]
    [InlineData("migrate-vhd")]
    public async Task OperatorCommand_Help_DescribesIt(string command)
    {
        using var stdout = new MemoryStream();
        var exit = await CreateCli(stdout, "").RunAsync([command, "--help"]).WithTimeout();
        Assert.Equal(0, exit);
        Assert.Contains("Operators:", Encoding.UTF8.GetString(stdout.ToArray()), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://acct.blob.core.windows.net/vhds/pv-1.vhd", "configuration selects the Loop backend")]
    [InlineData("https://acct.blob.core.windows.net/vhds/pv-1.vhd?sv=2021-08-06&sig=c2VjcmV0", "without a query or SAS token")]
    [InlineData("not a uri", "without a query or SAS token")]
    public async Task MigrateVhd_NeedsTheAzureBackendAndAPlainBlobUri(string uri, string expected)
    {
        var (exit, json) = await RunAsync("migrate-vhd", uri).WithTimeout();

        Assert.Equal(1, exit);
        Assert.Equal("Failure", json.GetProperty("status").GetString());
        Assert.Contains(expected, json.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("c2VjcmV0", json.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DoctorAndInstall_EachLogOneLine_WhatRanAndHowItEnded_ToTheConfiguredLog_WithoutItsSecrets()
    {
        using var files = new OperatorLogFiles();
        var plugins = Path.Join(files.Root, "plugins");

        using var doctorOut = new MemoryStream();
        var doctor = await CreateCli(doctorOut, "").RunAsync(["doctor", "--json", "--config", files.Config, "--plugin-dir", plugins, "--driver", "example.com~volume-driver"]).WithTimeout();
        var (install, _) = await RunAsync("install", "--plugin-dir", plugins, "--driver", "a~b~c", "--config", files.Config).WithTimeout();

        var lines = File.ReadAllLines(files.Log);
        var doctorLine = Assert.Single(lines, l => l.Contains("doctor ", StringComparison.Ordinal));
        var installLine = Assert.Single(lines, l => l.Contains("install ", StringComparison.Ordinal));
        Assert.Equal(1, doctor);
        Assert.Matches($"doctor --json --config {files.Config} --plugin-dir {plugins} --driver example.com~volume-driver -> Failure in [0-9]+ ms", doctorLine);
        Assert.Equal(1, install);
        Assert.Matches("install .*--driver a~b~c .*-> Failure in [0-9]+ ms: .*--driver", installLine);
        Assert.DoesNotContain(lines, l => l.Contains(OperatorLogFiles.EtcdPassword, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Doctor_ThatCrashes_LogsTheExceptionToTheConfiguredLog_AndRepliesOneFailureWithoutAStackTrace()
    {
        using var files = new OperatorLogFiles();
        var crashing = new Doctor(
            TestOperatorServices.IsolatedLoader(),
            _ => throw new InvalidOperationException("the backend's diagnostics fell over"),
            TestOperatorServices.Environment(),
            VolumeDriver.Locking.Etcd.EtcdDiagnostics.ProbeAsync);
        var operators = TestOperatorServices.Create() with { Doctor = crashing };

        using var stdout = new MemoryStream();
        var exit = await CreateCli(stdout, "", operators: operators).RunAsync(["doctor", "--json", "--config", files.Config, "--plugin-dir", Path.Join(files.Root, "plugins")]).WithTimeout();

        // stdout: exactly one JSON object, a Failure naming the exception, and no stack trace.
        var text = Encoding.UTF8.GetString(stdout.ToArray());
        using var reply = JsonDocument.Parse(text);
        Assert.Equal(1, exit);
        Assert.Equal("Failure", reply.RootElement.GetProperty("status").GetString());
        Assert.Equal(
            "internal error: InvalidOperationException: the backend's diagnostics fell over; see the log file for details",
            reply.RootElement.GetProperty("message").GetString());
        Assert.DoesNotContain(" at ", text, StringComparison.Ordinal);

        // The log: the exception with its type, message and stack, then the one outcome line.
        var logText = File.ReadAllText(files.Log);
        Assert.Contains("doctor failed unexpectedly", logText, StringComparison.Ordinal);
        Assert.Contains("System.InvalidOperationException: the backend's diagnostics fell over", logText, StringComparison.Ordinal);
        Assert.Contains($"at {typeof(Doctor).FullName}.", logText, StringComparison.Ordinal);
        Assert.True(
            logText.IndexOf("failed unexpectedly", StringComparison.Ordinal) < logText.IndexOf("-> Failure in", StringComparison.Ordinal),
            "the exception is logged before the outcome line");
        Assert.DoesNotContain(OperatorLogFiles.EtcdPassword, logText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_WithAConfigurationThatCannotBeRead_ReportsItWithoutALog()
    {
        var directory = Directory.CreateTempSubdirectory("vd-operator-log-").FullName;
        try
        {
            var config = Path.Join(directory, "config.yaml");
            File.WriteAllText(config, "log:\n  file: " + Path.Join(directory, "driver.log") + "\nnot-a-key: 1\n");

            var (exit, json) = await RunAsync("doctor", "--json", "--config", config, "--plugin-dir", Path.Join(directory, "plugins")).WithTimeout();

            // Nothing says where the log is when the configuration cannot be read; doctor's report says why.
            Assert.Equal(1, exit);
            var configuration = json.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "configuration");
            Assert.Equal("fail", configuration.GetProperty("status").GetString());
            Assert.Contains("not-a-key", configuration.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Join(directory, "driver.log")));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private Task<(int Exit, JsonElement Json)> RunAsync(params string[] args) => RunWithStdinAsync("", args);

    [Fact]
    public async Task Attach_JsonFromStdinWithStdinClosed_FailsAtOnceSayingSo()
    {
        var (exit, json) = await RunWithStdinAsync(null, "attach", "-", "node-1").WithTimeout();

        Assert.Equal(1, exit);
        Assert.Contains("stdin is closed", json.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private async Task<(int Exit, JsonElement Json)> RunWithStdinAsync(string? stdin, params string[] args)
    {
        using var stdout = new MemoryStream();
        var exit = await CreateCli(stdout, stdin, DriverCli.WantsPretty(args)).RunAsync(args).WithTimeout();
        var text = Encoding.UTF8.GetString(stdout.ToArray());
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(text);
        return (exit, document.RootElement.Clone());
    }

    /// <summary>
    /// A temporary directory with a configuration whose log file is in it and whose etcd password
    /// (<see cref="EtcdPassword"/>) must never reach that log.
    /// </summary>
    private sealed class OperatorLogFiles : IDisposable
    {
        public const string EtcdPassword = "Pa55-etcd!secret";

        public OperatorLogFiles()
        {
            Root = Directory.CreateTempSubdirectory("vd-operator-log-").FullName;
            Log = Path.Join(Root, "driver.log");
            Config = Path.Join(Root, "config.yaml");
            File.WriteAllText(Config, $"log:\n  file: {Log}\nlocking:\n  etcd:\n    endpoints: http://127.0.0.1:9\n    username: k8s\n    password: {EtcdPassword}\n");
        }

        public string Root { get; }

        public string Log { get; }

        public string Config { get; }

        public void Dispose() => Directory.Delete(Root, recursive: true);
    }

    /// <param name="stdin">What stdin holds; null: the process was started with stdin closed.</param>
    /// <param name="operators">What doctor and install run with; null: <see cref="TestOperatorServices.Create"/>'s.</param>
    private DriverCli CreateCli(Stream stdout, string? stdin, bool indented = false, OperatorServices? operators = null)
    {
        var parser = new FlexOptionsParser(_disk.OptionKeys);
        var services = new VerbServices(
            DriverConfiguration.Defaults,
            NullLoggerFactory.Instance,
            vhdMigration: null,
            new AttachDetachWorkflow(_disk, parser),
            new DeviceMountWorkflow(_disk, parser, _node, _node, _node, NodeConfiguration.Defaults, VolumeDriver.Host.HostRoot.System),
            owned: null);
        return new DriverCli(
            stdout,
            new ReplyWriter(stdout, indented),
            new StandardInput(() => new MemoryStream(Encoding.UTF8.GetBytes(stdin ?? throw new InvalidOperationException("stdin is closed and must not be read"))), () => stdin is not null),
            (_, _) => Task.FromResult(services),
            TimeProvider.System,
            operators ?? TestOperatorServices.Create(),
            _interruption);
    }
}
