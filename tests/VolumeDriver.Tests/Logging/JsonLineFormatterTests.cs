using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using VolumeDriver.Configuration;
using VolumeDriver.Logging;

namespace VolumeDriver.Tests.Logging;

public sealed partial class JsonLineFormatterTests
{
    [Fact]
    public void CreateJsonLines_EachEvent_IsOneJsonObjectPerLine()
    {
        using var output = new MemoryStream();
        using (var logging = LoggingSetup.CreateJsonLines(output, LogLevelSetting.Information, verbose: false))
        {
            var logger = logging.LoggerFactory.CreateLogger("VolumeDriver.Provisioning.Test");
            LogProvisioned(logger, "apps/data", "pvc-1", 1073741824);
            LogFailed(logger, new InvalidOperationException("boom"), "apps/other");
            LogBelowTheLevel(logger);
        }

        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);

        using var first = JsonDocument.Parse(lines[0]);
        var root = first.RootElement;
        Assert.Equal("Information", root.GetProperty("level").GetString());
        Assert.Equal("VolumeDriver.Provisioning.Test", root.GetProperty("source").GetString());
        Assert.Equal("Provisioned claim apps/data as pvc-1 (1073741824 bytes)", root.GetProperty("message").GetString());
        Assert.Equal("apps/data", root.GetProperty("Claim").GetString());
        Assert.Equal(1073741824, root.GetProperty("Bytes").GetInt64());
        Assert.True(DateTimeOffset.TryParse(root.GetProperty("time").GetString(), out _));

        using var second = JsonDocument.Parse(lines[1]);
        Assert.Equal("Warning", second.RootElement.GetProperty("level").GetString());
        Assert.Contains("boom", second.RootElement.GetProperty("exception").GetString(), StringComparison.Ordinal);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Provisioned claim {Claim} as {Volume} ({Bytes} bytes)")]
    private static partial void LogProvisioned(ILogger logger, string claim, string volume, long bytes);

    [LoggerMessage(Level = LogLevel.Debug, Message = "below the level")]
    private static partial void LogBelowTheLevel(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Claim {Claim} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string claim);
}
