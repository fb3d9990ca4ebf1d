using System.Text;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Contract;

/// <summary>The published binary, run exactly as kubelet runs it, answers every verb with one Go-parsable object.</summary>
public sealed class KubeletContractTests
{
    private static readonly string InitReply =
        "{\"status\":\"Success\",\"capabilities\":{\"attach\":true,\"selinuxRelabel\":true,\"supportsMetrics\":true,\"fsGroup\":true,\"requiresFSResize\":true}}\n";

    [ContractFact]
    public async Task Init_TenTimes_IsByteExactWithNothingElse()
    {
        for (var i = 0; i < 10; i++)
        {
            var run = await KubeletExec.RunAsync(["init"]).WithTimeout();
            Assert.Equal(0, run.ExitCode);
            Assert.Equal(InitReply, run.Text);
            Assert.Equal("", run.ShellStderr);
            var status = run.Status;
            Assert.False(status.CapabilitiesNull);
            Assert.True(status.Capabilities!["attach"]);
        }
    }

    [ContractFact]
    public async Task Init_WithNoHomeAndAnUnwritableWorkingDirectory_Works()
    {
        var run = await KubeletExec.RunAsync(["init"], new Dictionary<string, string> { ["HOME"] = "/nonexistent", ["TMPDIR"] = "/nonexistent" }).WithTimeout();
        Assert.Equal(InitReply, run.Text);
    }

    [ContractTheory]
    [InlineData("frobnicate")]
    [InlineData("provision")]
    [InlineData("")]
    [InlineData("getvolumename", "{\"kubernetes.io/pvOrVolumeName\":\"pv\"}")]
    [InlineData("getvolumename", "garbage")]
    [InlineData("mount", "/var/lib/kubelet/pods/x/volumes/acme~vd/pv", "{}")]
    [InlineData("unmount", "/var/lib/kubelet/pods/x/volumes/acme~vd/pv")]
    public async Task NotSupportedVerbs_AnswerNotSupportedWithExitZero(params string[] args)
    {
        var run = await KubeletExec.RunAsync(args).WithTimeout();
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Not supported", run.Status.Status);
    }

    [ContractTheory]
    [InlineData("attach", "{\"kubernetes.io/pvOrVolumeName\":\"pv\"}")]
    [InlineData("detach", "pv", "node", "extra")]
    [InlineData("mountdevice")]
    [InlineData("init", "extra")]
    [InlineData("expandvolume", "{}", "/mnt", "2147483648")]
    [InlineData("expandfs", "{}", "/dev/loop0", "/mnt", "2147483648")]
    public async Task WrongArgumentCount_IsAFailureWithExitOne(params string[] args)
    {
        var run = await KubeletExec.RunAsync(args).WithTimeout();
        Assert.Equal(1, run.ExitCode);
        var status = run.Status;
        Assert.Equal("Failure", status.Status);
        Assert.Contains(args[0], status.Message, StringComparison.Ordinal);
    }

    [ContractFact]
    public async Task Help_IsTextForOperators()
    {
        var run = await KubeletExec.RunAsync(["--help"]).WithTimeout();
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("waitforattach", run.Text, StringComparison.Ordinal);
    }

    [ContractFact]
    public async Task Version_PrintsTheVersion()
    {
        var run = await KubeletExec.RunAsync(["--version"]).WithTimeout();
        Assert.Equal(0, run.ExitCode);
        Assert.Matches("^[0-9]+\\.[0-9]+\\.[0-9]+", run.Text);
    }

    [LifecycleFact]
    public async Task GoMarshalledOptions_WithEscapesAndUnicode_AreUnderstood()
    {
        await using var fixture = new LoopVolumeFixture();
        var options = GoJson.Marshal(new Dictionary<string, string>
        {
            ["kubernetes.io/fsType"] = "",
            ["kubernetes.io/pvOrVolumeName"] = "pv-1",
            ["kubernetes.io/readwrite"] = "rw",
            ["kubernetes.io/pod.name"] = "<&> 日本語 \u2028",
            ["mountOptions"] = "noatime",
        });
        Assert.Contains("\\u003c\\u0026\\u003e", options, StringComparison.Ordinal);
        Assert.Contains("\\u2028", options, StringComparison.Ordinal);
        var run = await fixture.RunAsync("isattached", options, LoopVolumeFixture.NodeName).WithTimeout();
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Success", run.Status.Status);
        Assert.False(run.Status.Attached);
    }
}
