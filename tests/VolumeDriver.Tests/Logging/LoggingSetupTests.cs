using Microsoft.Extensions.Logging;
using VolumeDriver.Configuration;
using VolumeDriver.Logging;
using VolumeDriver.Tests.Configuration;

namespace VolumeDriver.Tests.Logging;

public sealed class LoggingSetupTests : IDisposable
{
    private readonly TempConfigDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Create_WritableFile_WritesOneFormattedLine()
    {
        var file = _temp.PathOf("logs/nested/driver.log");

        using (var setup = LoggingSetup.Create(new LogConfiguration(file, LogLevelSetting.Information), verbose: false))
        {
            Assert.Null(setup.FileSinkError);
            var logger = setup.LoggerFactory.CreateLogger<LoggingSetupTests>();
            TestLog.Attached(logger, "disk-1", 3);
        }

        var lines = File.ReadAllLines(file);
        var line = Assert.Single(lines);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[INF\] ", line);
        Assert.Contains($"[{Environment.ProcessId}]", line);
        Assert.Contains(typeof(LoggingSetupTests).FullName!, line);
        Assert.EndsWith("attached disk-1 at lun 3", line);
    }

    [Fact]
    public void Create_LevelWarning_DropsInformation()
    {
        var file = _temp.PathOf("driver.log");

        using (var setup = LoggingSetup.Create(new LogConfiguration(file, LogLevelSetting.Warning), verbose: false))
        {
            var logger = setup.LoggerFactory.CreateLogger("Test");
            TestLog.Information(logger, "dropped");
            TestLog.Warning(logger, "kept");
        }

        var line = Assert.Single(File.ReadAllLines(file));
        Assert.Contains("[WRN]", line);
        Assert.EndsWith("kept", line);
    }

    [Fact]
    public void Create_TwoSetupsOnOneFile_BothWrite()
    {
        // Verbs run as concurrent processes on one file: the sink is shared, not exclusive.
        var file = _temp.PathOf("driver.log");

        using (var first = LoggingSetup.Create(new LogConfiguration(file, LogLevelSetting.Information), verbose: false))
        using (var second = LoggingSetup.Create(new LogConfiguration(file, LogLevelSetting.Information), verbose: false))
        {
            Assert.Null(second.FileSinkError);
            var firstLogger = first.LoggerFactory.CreateLogger("A");
            var secondLogger = second.LoggerFactory.CreateLogger("B");
            TestLog.Information(firstLogger, "from first");
            TestLog.Information(secondLogger, "from second");
        }

        var lines = File.ReadAllLines(file);
        Assert.Equal(2, lines.Length);
        Assert.EndsWith("from first", lines[0]);
        Assert.EndsWith("from second", lines[1]);
    }

    [Fact]
    public void Create_ExceptionLogged_WritesStackAfterTheLine()
    {
        var file = _temp.PathOf("driver.log");

        using (var setup = LoggingSetup.Create(new LogConfiguration(file, LogLevelSetting.Information), verbose: false))
        {
            var logger = setup.LoggerFactory.CreateLogger("Test");
            TestLog.Error(logger, new InvalidOperationException("boom"), "failed");
        }

        var text = File.ReadAllText(file);
        Assert.Contains("[ERR]", text);
        Assert.Contains("System.InvalidOperationException: boom", text);
    }

    [Theory]
    [InlineData("/etc/hostname/volume-driver.log")]
    [InlineData("/proc/self/no-such-dir/volume-driver.log")]
    public void Create_PathUnderARegularFileOrProc_DoesNotThrowAndReportsFileSinkError(string file)
    {
        using var setup = LoggingSetup.Create(new LogConfiguration(file, LogLevelSetting.Information), verbose: false);

        Assert.NotNull(setup.FileSinkError);
        Assert.Contains(file, setup.FileSinkError);
        var logger = setup.LoggerFactory.CreateLogger("Test");
        TestLog.Information(logger, "goes nowhere, and does not throw");
    }

    [Fact]
    public void Create_PathUnderATempFile_DoesNotThrowAndReportsFileSinkError()
    {
        var blocker = _temp.Write("not-a-directory", "plain file");
        var file = Path.Join(blocker, "driver.log");

        using var setup = LoggingSetup.Create(new LogConfiguration(file, LogLevelSetting.Information), verbose: false);

        Assert.NotNull(setup.FileSinkError);
        var logger = setup.LoggerFactory.CreateLogger("Test");
        TestLog.Error(logger, null, "still no exception");
        Assert.False(File.Exists(file));
    }

    [Fact]
    public void Create_PathIsADirectory_ReportsFileSinkError()
    {
        using var setup = LoggingSetup.Create(new LogConfiguration(_temp.Path, LogLevelSetting.Information), verbose: false);

        Assert.NotNull(setup.FileSinkError);
    }

    [Fact]
    public void Create_Verbose_StillWritesTheFile()
    {
        var file = _temp.PathOf("driver.log");

        using (var setup = LoggingSetup.Create(new LogConfiguration(file, LogLevelSetting.Debug), verbose: true))
        {
            var logger = setup.LoggerFactory.CreateLogger("Test");
            TestLog.Debug(logger, "debug line");
        }

        Assert.EndsWith("debug line", Assert.Single(File.ReadAllLines(file)));
    }

    [Fact]
    public void Dispose_Twice_DoesNotThrow()
    {
        var setup = LoggingSetup.Create(new LogConfiguration(_temp.PathOf("driver.log"), LogLevelSetting.Information), verbose: false);

        setup.Dispose();
        setup.Dispose();
    }
}
