using System.Text.Json;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Contract;

/// <summary>The operators' commands install, doctor and list, through the published binary.</summary>
public sealed class OperatorCommandTests
{
    private const string Node = LoopVolumeFixture.NodeName;
    private const string Driver = "example.com~volume-driver";

    [LifecycleFact]
    public async Task Install_ThenDoctor_ReportsTheInstallOk()
    {
        await using var fixture = new LoopVolumeFixture();
        var plugins = Path.Join(fixture.Root, "plugins");
        var configDestination = Path.Join(fixture.Root, "etc", "config.yaml");

        var install = await fixture.RunAsync("install", "--plugin-dir", plugins, "--driver", Driver, "--config", fixture.ConfigFile, "--config-dest", configDestination).WithTimeout();
        Assert.True(install.ExitCode == 0, install.Text);
        Assert.Equal("Success", install.Status.Status);
        Assert.Contains("installed driver example.com/volume-driver", install.Status.Message, StringComparison.Ordinal);
        var executable = Path.Join(plugins, Driver, "volume-driver");
        Assert.Equal(new FileInfo(DriverBinary.Path!).Length, new FileInfo(executable).Length);
        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(executable));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(configDestination));
        Assert.Equal(["volume-driver"], Directory.GetFileSystemEntries(Path.Join(plugins, Driver)).Select(Path.GetFileName));

        var again = await fixture.RunAsync("install", "--plugin-dir", plugins, "--driver", Driver).WithTimeout();
        Assert.Contains("unchanged", again.Status.Message, StringComparison.Ordinal);

        // The installed copy answers kubelet's init like the original.
        var init = await LoopVolumeFixture.RunToolAsync(executable, "init").WithTimeout();
        Assert.StartsWith("{\"status\":\"Success\",\"capabilities\":", init, StringComparison.Ordinal);

        var doctor = await fixture.RunAsync("doctor", "--json", "--plugin-dir", plugins, "--driver", Driver).WithTimeout();
        using var report = JsonDocument.Parse(doctor.Combined);
        var checks = report.RootElement.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c);
        var installed = checks["installed executable"];
        Assert.True(installed.GetProperty("status").GetString() == "ok", doctor.Text);
        Assert.Contains("same binary", installed.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("ok", checks["configuration"].GetProperty("status").GetString());
        Assert.Equal("skip", checks["credentials"].GetProperty("status").GetString());
        Assert.Equal("ok", checks["log file"].GetProperty("status").GetString());
        Assert.Equal(report.RootElement.GetProperty("status").GetString() == "Success" ? 0 : 1, doctor.ExitCode);
    }

    [LifecycleFact]
    public async Task Doctor_WithoutJson_PrintsATable()
    {
        await using var fixture = new LoopVolumeFixture();
        var run = await fixture.RunAsync("doctor", "--plugin-dir", fixture.Root, "--driver", Driver).WithTimeout();
        Assert.StartsWith("STATUS  CHECK", run.Text, StringComparison.Ordinal);
        Assert.Contains("FAIL    installed executable", run.Text, StringComparison.Ordinal);
        Assert.Equal(1, run.ExitCode);
    }

    [ContractFact]
    public async Task Install_DriverWithTwoTildes_IsRefused()
    {
        var directory = Directory.CreateTempSubdirectory("vd-install-").FullName;
        try
        {
            var run = await KubeletExec.RunAsync(["install", "--plugin-dir", directory, "--driver", "a~b~c"]).WithTimeout();
            Assert.Equal(1, run.ExitCode);
            Assert.Equal("Failure", run.Status.Status);
            Assert.Empty(Directory.GetFileSystemEntries(directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [LifecycleFact]
    public async Task ListJson_AfterAttach_ShowsTheVolumeAttachedToTheNode()
    {
        await using var fixture = new LoopVolumeFixture();
        var options = LoopVolumeFixture.Options("pv-list", size: "64Mi");
        var attach = await fixture.ExpectAsync("Success", "attach", options, Node).WithTimeout();
        await fixture.ExpectAsync("Success", "attach", LoopVolumeFixture.Options("pv-idle", size: "32Mi"), Node).WithTimeout();
        await fixture.ExpectAsync("Success", "detach", "pv-idle", Node).WithTimeout();

        var run = await fixture.RunAsync("list", "--json").WithTimeout();
        Assert.True(run.ExitCode == 0, run.Text);
        using var document = JsonDocument.Parse(run.Combined);
        var volumes = document.RootElement.GetProperty("volumes").EnumerateArray().ToDictionary(v => v.GetProperty("name").GetString()!, v => v);
        Assert.Equal("Success", document.RootElement.GetProperty("status").GetString());
        Assert.Equal(Node, volumes["pv-list"].GetProperty("node").GetString());
        Assert.Equal(attach.Device, volumes["pv-list"].GetProperty("device").GetString());
        Assert.Equal(64L << 20, volumes["pv-list"].GetProperty("sizeBytes").GetInt64());
        Assert.Equal(JsonValueKind.Null, volumes["pv-idle"].GetProperty("node").ValueKind);

        var table = await fixture.RunAsync("list").WithTimeout();
        Assert.Contains("pv-list", table.Text, StringComparison.Ordinal);
        Assert.Contains("2 volume(s), 1 attached", table.Text, StringComparison.Ordinal);

        await fixture.ExpectAsync("Success", "detach", "pv-list", Node).WithTimeout();
    }
}
