using System.Text;
using System.Text.Json;
using VolumeDriver.Cli;
using VolumeDriver.Diagnostics;
using VolumeDriver.Domain;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Cli;

public sealed class DoctorReportWriterTests
{
    private static readonly DoctorReport Mixed = new(
    [
        DoctorCheck.Ok("configuration", "/etc/volume-driver/config.yaml is valid (backend loop)"),
        DoctorCheck.Warn("sparse files", "allocates files in full", "put loop.directory on ext4"),
        DoctorCheck.Fail("tool mkfs.xfs", "mkfs.xfs is not on PATH", "apt-get install xfsprogs"),
        DoctorCheck.Skip("credentials", "the loop backend has no credentials"),
    ]);

    [Fact]
    public void ToJson_Report_HasStatusMessageAndOneObjectPerCheck()
    {
        using var document = JsonDocument.Parse(DoctorReportWriter.ToJson(Mixed, indented: false));
        var root = document.RootElement;

        Assert.Equal(["status", "message", "checks"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Failure", root.GetProperty("status").GetString());
        Assert.Equal("1 ok, 1 warning(s), 1 failed, 1 skipped", root.GetProperty("message").GetString());
        var checks = root.GetProperty("checks").EnumerateArray().ToList();
        Assert.Equal(4, checks.Count);
        Assert.All(checks, c => Assert.Equal(["name", "status", "detail", "fix"], c.EnumerateObject().Select(p => p.Name)));
        Assert.Equal(["ok", "warn", "fail", "skip"], checks.Select(c => c.GetProperty("status").GetString()));
        Assert.Equal(JsonValueKind.Null, checks[0].GetProperty("fix").ValueKind);
        Assert.Equal("apt-get install xfsprogs", checks[2].GetProperty("fix").GetString());
    }

    [Fact]
    public void ToJson_NoFailures_IsSuccessOnOneLine()
    {
        var report = new DoctorReport([DoctorCheck.Ok("root", "running as root"), DoctorCheck.Warn("x", "y", "z")]);
        var text = Encoding.UTF8.GetString(DoctorReportWriter.ToJson(report, indented: false));

        Assert.StartsWith("{\"status\":\"Success\",", text, StringComparison.Ordinal);
        Assert.EndsWith("}\n", text, StringComparison.Ordinal);
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(0, report.ExitCode);
    }

    [Fact]
    public async Task WriteTableAsync_Report_ShowsFailuresInCapitalsWithTheirFix()
    {
        using var output = new StringWriter();
        await DoctorReportWriter.WriteTableAsync(Mixed, output, CancellationToken.None).WithTimeout();
        var lines = output.ToString().Split('\n');

        Assert.StartsWith("STATUS  CHECK", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("FAIL    tool mkfs.xfs", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Trim() == "fix: apt-get install xfsprogs");
        Assert.Contains(lines, l => l.StartsWith("skip    credentials", StringComparison.Ordinal));
        Assert.Contains("1 failed", lines[^2], StringComparison.Ordinal);
    }
}
