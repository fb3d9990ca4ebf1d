using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Contract;

/// <summary>The operators' options on top of the verbs: --config, --verbose, --pretty, and configuration errors.</summary>
public sealed class OperatorSurfaceTests
{
    private const string Node = LoopVolumeFixture.NodeName;

    [LifecycleFact]
    public async Task ConfigOption_TakesPrecedenceOverTheEnvironment()
    {
        await using var fixture = new LoopVolumeFixture();
        var environment = new Dictionary<string, string> { ["VOLUME_DRIVER_CONFIG"] = "/nonexistent/config.yaml" };
        var run = await KubeletExec.RunAsync(["isattached", LoopVolumeFixture.Options("pv-cfg"), Node, "--config", fixture.ConfigFile], environment).WithTimeout();
        Assert.Equal(0, run.ExitCode);
        Assert.False(run.Status.Attached);
        Assert.Contains("isattached", File.ReadAllText(fixture.LogFile), StringComparison.Ordinal);
    }

    [ContractFact]
    public async Task MissingConfigFile_IsAFailureNamingThePath()
    {
        var run = await KubeletExec.RunAsync(["isattached", LoopVolumeFixture.Options("pv-cfg"), Node, "--config", "/nonexistent/volume-driver.yaml"]).WithTimeout();
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("/nonexistent/volume-driver.yaml", run.Status.Message, StringComparison.Ordinal);
    }

    [ContractFact]
    public async Task UnknownConfigKey_IsAFailureNamingTheKey()
    {
        var directory = Directory.CreateTempSubdirectory("vd-config-").FullName;
        try
        {
            var config = Path.Join(directory, "config.yaml");
            File.WriteAllText(config, "backend: loop\nloop:\n  directroy: /tmp/x\n");
            var run = await KubeletExec.RunAsync(["detach", "pv-1", Node], new Dictionary<string, string> { ["VOLUME_DRIVER_CONFIG"] = config }).WithTimeout();
            Assert.Equal(1, run.ExitCode);
            Assert.Contains("loop.directroy", run.Status.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [LifecycleFact]
    public async Task Verbose_AddsLogLinesToStderr_OnlyWhenAsked()
    {
        await using var fixture = new LoopVolumeFixture();
        var quiet = await fixture.RunAsync("detach", "pv-verbose", Node).WithTimeout();
        Assert.Equal("{\"status\":\"Success\"}\n", quiet.Text);

        var verbose = await fixture.RunAsync("detach", "pv-verbose", Node, "--verbose").WithTimeout();
        Assert.Equal(0, verbose.ExitCode);
        Assert.StartsWith("{\"status\":\"Success\"}\n", verbose.Text, StringComparison.Ordinal);
        Assert.Contains("detach pv-verbose", verbose.Text, StringComparison.Ordinal);
    }

    [LifecycleFact]
    public async Task Pretty_IndentsTheReply()
    {
        await using var fixture = new LoopVolumeFixture();
        var run = await fixture.RunAsync("detach", "pv-pretty", Node, "--pretty").WithTimeout();
        Assert.Equal("{\n  \"status\": \"Success\"\n}\n", run.Text);
    }

    [LifecycleFact]
    public async Task Secrets_NeverReachTheLog()
    {
        await using var fixture = new LoopVolumeFixture();
        const string secret = TestSupport.TestSecrets.Password;
        var options = LoopVolumeFixture.Options("pv-secret", size: "64Mi", extra: "kubernetes.io/secret/password=" + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(secret)));
        await fixture.ExpectAsync("Success", "attach", options, Node).WithTimeout();
        await fixture.ExpectAsync("Success", "isattached", options, Node).WithTimeout();
        await fixture.ExpectAsync("Success", "detach", "pv-secret", Node).WithTimeout();
        await fixture.ExpectAsync("Success", "delete", "pv-secret").WithTimeout();

        var log = File.ReadAllText(fixture.LogFile);
        Assert.Contains("kubernetes.io/secret/password", log, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(secret)), log, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, log, StringComparison.Ordinal);
    }

    [LifecycleFact]
    public async Task ReadOnlyWorkingDirectoryAndNoHome_EveryVerbStillWorks()
    {
        await using var fixture = new LoopVolumeFixture();
        var readOnly = Path.Join(fixture.Root, "read-only");
        Directory.CreateDirectory(readOnly);
        await LoopVolumeFixture.RunToolAsync("mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", readOnly).WithTimeout();
        try
        {
            Assert.True(LoopVolumeFixture.IsMountPoint(readOnly));
            var environment = fixture.Environment;
            environment["TMPDIR"] = readOnly;
            var options = LoopVolumeFixture.Options("pv-rocwd", size: "64Mi");
            foreach (var args in new[] { new[] { "init" }, ["attach", options, Node], ["isattached", options, Node], ["detach", "pv-rocwd", Node], ["delete", "pv-rocwd"] })
            {
                var run = await KubeletExec.RunAsync(args, environment, stdin: null, timeout: null, onStarted: null, workingDirectory: readOnly).WithTimeout();
                Assert.True(run.ExitCode == 0, $"{args[0]} answered {run.Text}");
                Assert.Equal("Success", run.Status.Status);
            }
        }
        finally
        {
            await LoopVolumeFixture.RunToolAsync("umount", readOnly).WithTimeout();
        }
    }
}
