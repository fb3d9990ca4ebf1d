using System.Globalization;
using Serilog;
using Serilog.Formatting.Display;
using VolumeDriver.Logging;
using VolumeDriver.Tests.Configuration;

namespace VolumeDriver.Tests.Logging;

public sealed class SharedFileSinkTests : IDisposable
{
    private readonly TempConfigDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Emit_PastTheSizeLimit_RollsAndKeepsTheRetainedCount()
    {
        var file = _temp.PathOf("driver.log");

        // "line NN\n" is 8 bytes: 5 lines fill a 40-byte file.
        using (var logger = LoggerOn(new SharedFileSink(file, LineFormatter(), fileSizeLimitBytes: 40, retainedFileCountLimit: 3)))
        {
            for (var i = 0; i < 23; i++)
            {
                logger.Information("line {Number}", i.ToString("D2", CultureInfo.InvariantCulture));
            }
        }

        var rolled1 = SharedFileSink.RolledPath(file, 1);
        var rolled2 = SharedFileSink.RolledPath(file, 2);
        Assert.Equal(_temp.PathOf("driver_001.log"), rolled1);
        Assert.False(File.Exists(SharedFileSink.RolledPath(file, 3)));
        Assert.Equal(["line 10", "line 11", "line 12", "line 13", "line 14"], File.ReadAllLines(rolled2));
        Assert.Equal(["line 15", "line 16", "line 17", "line 18", "line 19"], File.ReadAllLines(rolled1));
        Assert.Equal(["line 20", "line 21", "line 22"], File.ReadAllLines(file));
    }

    [Fact]
    public void Emit_LineLongerThanTheLimit_IsWrittenWhole()
    {
        var file = _temp.PathOf("driver.log");
        var longText = new string('x', 100);

        using (var logger = LoggerOn(new SharedFileSink(file, LineFormatter(), fileSizeLimitBytes: 40, retainedFileCountLimit: 2)))
        {
            logger.Information("line {Number}", "01");
            logger.Information("line {Number}", longText);
        }

        Assert.Equal(["line 01"], File.ReadAllLines(SharedFileSink.RolledPath(file, 1)));
        Assert.Equal(["line " + longText], File.ReadAllLines(file));
    }

    [Fact]
    public void Emit_AfterTheFileWasRenamedAway_WritesAFreshFileByTheName()
    {
        // logrotate without copytruncate: the next line must not follow the renamed file.
        var file = _temp.PathOf("driver.log");

        using (var logger = LoggerOn(new SharedFileSink(file, LineFormatter(), fileSizeLimitBytes: 1024, retainedFileCountLimit: 2)))
        {
            logger.Information("line {Number}", "01");
            File.Move(file, file + ".1");
            logger.Information("line {Number}", "02");
            File.Delete(file);
            logger.Information("line {Number}", "03");
        }

        Assert.Equal(["line 01"], File.ReadAllLines(file + ".1"));
        Assert.Equal(["line 03"], File.ReadAllLines(file));
    }

    [Fact]
    public async Task Emit_EightWritersOnOneFile_RollingOften_KeepEveryLineWhole()
    {
        // Each sink has its own open file description, so its flock excludes the others exactly as
        // another process's would.
        var file = _temp.PathOf("driver.log");
        const int Writers = 8;
        const int LinesPerWriter = 250;

        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(() =>
        {
            using var logger = LoggerOn(new SharedFileSink(file, LineFormatter(), fileSizeLimitBytes: 4096, retainedFileCountLimit: 1000));
            for (var i = 0; i < LinesPerWriter; i++)
            {
                logger.Information("line {Number}", $"w{w} n{i:D3} " + new string('.', 40));
            }
        }));
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromMinutes(1));

        var files = Directory.GetFiles(_temp.Path, "driver*.log");
        Assert.True(files.Length > 10, $"expected many rolled files, found {files.Length}");
        Assert.All(files, f => Assert.True(new FileInfo(f).Length <= 4096, $"{f} holds {new FileInfo(f).Length} bytes"));
        var lines = files.SelectMany(File.ReadAllLines).ToList();
        Assert.All(lines, line => Assert.Matches(@"^line w\d n\d{3} \.{40}$", line));
        Assert.Equal(Writers * LinesPerWriter, lines.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(Writers * LinesPerWriter, lines.Count);
    }

    [Fact]
    public void Emit_UnwritableDirectory_DropsTheLineWithoutThrowing()
    {
        var blocker = _temp.Write("not-a-directory", "plain file");

        using var logger = LoggerOn(new SharedFileSink(Path.Join(blocker, "driver.log"), LineFormatter(), 1024, 2));

        logger.Information("line {Number}", "01");
        Assert.Equal("plain file", File.ReadAllText(blocker));
    }

    private static MessageTemplateTextFormatter LineFormatter() => new("{Message:lj}{NewLine}", CultureInfo.InvariantCulture);

    private static Serilog.Core.Logger LoggerOn(SharedFileSink sink) => new LoggerConfiguration().WriteTo.Sink(sink).CreateLogger();
}
