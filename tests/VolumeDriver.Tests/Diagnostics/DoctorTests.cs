using System.Text;
using VolumeDriver.Cli;
using VolumeDriver.Diagnostics;
using VolumeDriver.Domain;
using VolumeDriver.Tests.Configuration;
using VolumeDriver.Tests.Node;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Diagnostics;

public sealed class DoctorTests : IDisposable
{
    private const UnixFileMode Executable = (UnixFileMode)0b111_101_101;

    private readonly TempConfigDirectory _temp = new();
    private readonly FakeHostTree _host = new();
    private readonly string _config;
    private readonly string _tools;
    private readonly string _running;
    private readonly string _plugins;

    public DoctorTests()
    {
        _config = WriteConfig();
        _tools = _temp.PathOf("bin");
        foreach (var (tool, _) in NodeTools.Required)
        {
            File.SetUnixFileMode(_temp.Write("bin/" + tool, "#!/bin/sh\n"), Executable);
        }

        _running = _temp.Write("build/volume-driver", "the driver, version 1");
        _plugins = _temp.PathOf("plugins");
        _host.Write("/dev/loop-control", "");
    }

    [Fact]
    public async Task RunAsync_HealthyLoopNode_HasNoFailures()
    {
        Install("example.com~volume-driver", File.ReadAllText(_running));

        var report = await RunAsync(pluginDirectory: _plugins, driver: "example.com~volume-driver").WithTimeout();

        Assert.False(report.HasFailures, Describe(report));
        Assert.Equal(0, report.ExitCode);
        Assert.Equal(DoctorStatus.Ok, Find(report, "configuration").Status);
        Assert.Contains(_config, Find(report, "configuration").Detail, StringComparison.Ordinal);
        Assert.Equal(DoctorStatus.Ok, Find(report, "loop directory").Status);
        Assert.Equal(DoctorStatus.Ok, Find(report, "loop devices").Status);
        Assert.Equal(DoctorStatus.Ok, Find(report, "lock directory").Status);
        Assert.Equal(DoctorStatus.Ok, Find(report, "log file").Status);
        Assert.Equal(DoctorStatus.Ok, Find(report, "tool xfs_growfs").Status);
        Assert.Contains("node-1", Find(report, "node name").Detail, StringComparison.Ordinal);
        Assert.Equal(DoctorStatus.Ok, Find(report, InstallLocationDiagnostics.ExecutableCheck).Status);
        Assert.Contains("same binary", Find(report, InstallLocationDiagnostics.ExecutableCheck).Detail, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.PathOf("images")), "doctor must not create the loop directory");
        Assert.Empty(Directory.GetFiles(_temp.Path, ".volume-driver-doctor-*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task RunAsync_LoopBackend_SkipsCredentialChecksSayingWhy()
    {
        var report = await RunAsync().WithTimeout();

        foreach (var name in new[] { "credentials", "cloud API", "node VM" })
        {
            var check = Find(report, name);
            Assert.Equal(DoctorStatus.Skip, check.Status);
            Assert.StartsWith("the loop backend has no credentials", check.Detail, StringComparison.Ordinal);
        }

        Assert.Equal(DoctorStatus.Skip, Find(report, "etcd").Status);
    }

    [Fact]
    public async Task RunAsync_MissingTools_FailsEachNamingItsDebianPackage()
    {
        File.Delete(Path.Join(_tools, "mkfs.xfs"));
        File.SetUnixFileMode(Path.Join(_tools, "losetup"), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var report = await RunAsync().WithTimeout();

        Assert.True(report.HasFailures);
        Assert.Equal(1, report.ExitCode);
        Assert.Equal("apt-get install xfsprogs (Debian/Ubuntu package xfsprogs)", Find(report, "tool mkfs.xfs").Fix);
        Assert.Equal(DoctorStatus.Fail, Find(report, "tool losetup").Status);
        Assert.Contains("mount", Find(report, "tool losetup").Fix, StringComparison.Ordinal);
        Assert.Equal(DoctorStatus.Ok, Find(report, "tool blkid").Status);
    }

    [Fact]
    public async Task RunAsync_NoLoopControl_Fails()
    {
        File.Delete(_host.Root.Map("/dev/loop-control"));
        var check = Find(await RunAsync().WithTimeout(), "loop devices");
        Assert.Equal(DoctorStatus.Fail, check.Status);
        Assert.Contains("modprobe loop", check.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_InvalidConfiguration_FailsWithoutEchoingValuesAndSkipsWhatDependsOnIt()
    {
        const string Secret = "hunter2-Very-Secret";
        File.WriteAllText(_config, $"backend: loop\naadClientSecret: {Secret}\n");

        var report = await RunAsync().WithTimeout();
        var json = Encoding.UTF8.GetString(DoctorReportWriter.ToJson(report, indented: false));
        using var table = new StringWriter();
        await DoctorReportWriter.WriteTableAsync(report, table, CancellationToken.None).WithTimeout();

        Assert.Equal(DoctorStatus.Fail, Find(report, "configuration").Status);
        Assert.Contains("aadClientSecret", Find(report, "configuration").Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, json, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, table.ToString(), StringComparison.Ordinal);
        Assert.Equal(DoctorStatus.Skip, Find(report, "log file").Status);
        Assert.Equal(DoctorStatus.Skip, Find(report, "node name").Status);
        Assert.Equal(DoctorStatus.Ok, Find(report, "tool blkid").Status);
    }

    [Fact]
    public async Task RunAsync_HostNameNotANodeName_Fails()
    {
        File.WriteAllText(_config, $"loop:\n  directory: {_temp.PathOf("images")}\nlog:\n  file: {_temp.PathOf("driver.log")}\n");
        var report = await RunAsync(hostName: "bad_host").WithTimeout();
        var check = Find(report, "node name");
        Assert.Equal(DoctorStatus.Fail, check.Status);
        Assert.Contains("host name", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_UnwritableLogFile_Fails()
    {
        File.WriteAllText(_temp.PathOf("not-a-directory"), "");
        File.WriteAllText(_config, $"log:\n  file: {_temp.PathOf("not-a-directory/driver.log")}\n");
        var check = Find(await RunAsync().WithTimeout(), "log file");
        Assert.Equal(DoctorStatus.Fail, check.Status);
        Assert.Contains("not-a-directory", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_InstalledBinaryDiffers_Warns()
    {
        Install("example.com~volume-driver", "an older driver");
        var check = Find(await RunAsync(pluginDirectory: _plugins, driver: "example.com~volume-driver").WithTimeout(), InstallLocationDiagnostics.ExecutableCheck);
        Assert.Equal(DoctorStatus.Warn, check.Status);
        Assert.Contains("differs", check.Detail, StringComparison.Ordinal);
        Assert.Contains("volume-driver install", check.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_InstalledFileNotExecutable_Fails()
    {
        var path = Install("example.com~volume-driver", File.ReadAllText(_running));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var check = Find(await RunAsync(pluginDirectory: _plugins, driver: "example.com~volume-driver").WithTimeout(), InstallLocationDiagnostics.ExecutableCheck);
        Assert.Equal(DoctorStatus.Fail, check.Status);
        Assert.Contains("not executable", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_NotInstalled_FailsWithTheInstallCommand()
    {
        Directory.CreateDirectory(_plugins);
        var check = Find(await RunAsync(pluginDirectory: _plugins, driver: "example.com~volume-driver").WithTimeout(), InstallLocationDiagnostics.ExecutableCheck);
        Assert.Equal(DoctorStatus.Fail, check.Status);
        Assert.Contains($"volume-driver install --plugin-dir {_plugins} --driver example.com~volume-driver", check.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_NoDriverGiven_FindsThisExecutableInTheDefaultDirectories()
    {
        Install("acme~other", "another driver");
        Install("acme~volume-driver", File.ReadAllText(_running));

        var report = await RunAsync(pluginDirectories: ["/nonexistent-volume-driver-dir", _plugins]).WithTimeout();

        var check = Assert.Single(report.Checks, c => c.Name == InstallLocationDiagnostics.ExecutableCheck);
        Assert.Equal(DoctorStatus.Ok, check.Status);
        Assert.Contains("acme~volume-driver/volume-driver", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_DriverKubeletRejects_Fails()
    {
        Directory.CreateDirectory(_plugins);
        var check = Find(await RunAsync(pluginDirectory: _plugins, driver: "a~b~c").WithTimeout(), InstallLocationDiagnostics.DriverCheck);
        Assert.Equal(DoctorStatus.Fail, check.Status);
        Assert.Contains("exactly one", check.Detail, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _host.Dispose();
        _temp.Dispose();
    }

    private static DoctorCheck Find(DoctorReport report, string name) =>
        report.Checks.FirstOrDefault(c => c.Name == name) ?? throw new Xunit.Sdk.XunitException($"no check named '{name}' in:\n{Describe(report)}");

    private static string Describe(DoctorReport report) =>
        string.Join('\n', report.Checks.Select(c => $"{c.Status} {c.Name}: {c.Detail} {c.Fix}"));

    [EtcdFact]
    public async Task RunAsync_EtcdConfigured_AsksItForALease_AndNamesAnUnreachableOne()
    {
        await using var etcd = await EtcdServer.StartAsync().WithTimeout();
        WriteConfigWithEtcd(etcd.ClientUrl.ToString().TrimEnd('/'));

        var healthy = Find(await RunAsync().WithTimeout(), "etcd");

        Assert.Equal(DoctorStatus.Ok, healthy.Status);
        Assert.Contains("granted a lease", healthy.Detail, StringComparison.Ordinal);
        Assert.Equal(0, await etcd.CountKeysAsync("/volume-driver").WithTimeout());

        WriteConfigWithEtcd("http://127.0.0.1:1");
        var down = Find(await RunAsync().WithTimeout(), "etcd");

        Assert.Equal(DoctorStatus.Fail, down.Status);
        Assert.Contains("127.0.0.1:1", down.Detail, StringComparison.Ordinal);
    }

    private void WriteConfigWithEtcd(string endpoint) => WriteConfig($"""

          etcd:
            endpoints: {endpoint}
            timeout: 2
        """);

    /// <summary>A loop configuration in the temporary directory; <paramref name="locking"/> is appended to its locking section.</summary>
    private string WriteConfig(string locking = "") => _temp.Write("config.yaml", $"""
        backend: loop
        nodeName: node-1
        loop:
          directory: {_temp.PathOf("images")}
        log:
          file: {_temp.PathOf("log/driver.log")}
        locking:
          directory: {_temp.PathOf("locks")}{locking}
        """);

    private string Install(string directoryName, string content)
    {
        var path = Path.Join(_plugins, directoryName, directoryName[(directoryName.IndexOf('~') + 1)..]);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, Executable);
        return path;
    }

    private Task<DoctorReport> RunAsync(string? pluginDirectory = null, string? driver = null, string hostName = "node-1", IReadOnlyList<string>? pluginDirectories = null)
    {
        var environment = TestOperatorServices.Environment(_running, _tools, pluginDirectories ?? [_plugins], hostName);
        return TestOperatorServices.Doctor(environment, _host.Root).RunAsync(new DoctorRequest(_config, pluginDirectory, driver), CancellationToken.None).WithTimeout();
    }
}
