using System.Globalization;
using System.Text.RegularExpressions;
using VolumeDriver.Tests.Configuration;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Contract;

/// <summary>One log file written by many verb processes at once, through the published binary.</summary>
public sealed partial class SharedLogFileTests
{
    private const int Processes = 200;

    [ContractFact]
    public async Task TwoHundredConcurrentVerbs_LeaveTwoHundredIntactLines()
    {
        using var temp = new TempConfigDirectory();
        var log = temp.PathOf("driver.log");
        var config = temp.Write("config.yaml", $"""
            backend: loop
            nodeName: node-1
            loop:
              directory: {temp.PathOf("images")}
            log:
              file: {log}
            """);
        var environment = new Dictionary<string, string> { ["VOLUME_DRIVER_CONFIG"] = config };

        var runs = await Task.WhenAll(Enumerable.Range(0, Processes).Select(i =>
            KubeletExec.RunAsync(["isattached", LoopVolumeFixture.Options(VolumeName(i)), "node-1"], environment, timeout: TimeSpan.FromMinutes(5)))).WithTimeout(TimeSpan.FromMinutes(5));

        Assert.All(runs, run => Assert.True(run.ExitCode == 0, run.Text));
        var lines = File.ReadAllLines(log);
        var verbLines = lines.Select(line => VerbLine().Match(line)).ToList();
        Assert.All(lines.Zip(verbLines), pair => Assert.True(pair.Second.Success, $"not one whole verb line: {pair.First}"));
        Assert.Equal(Processes, lines.Length);
        Assert.Equal(Processes, verbLines.Select(m => m.Groups["pid"].Value).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(
            Enumerable.Range(0, Processes).Select(VolumeName),
            verbLines.Select(m => m.Groups["volume"].Value).Order(StringComparer.Ordinal));
    }

    private static string VolumeName(int i) => "pv-log-" + i.ToString("D3", CultureInfo.InvariantCulture);

    /// <summary>The whole line a verb logs: time, level, pid, source, the verb with its volume, and the outcome.</summary>
    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[INF\] \[(?<pid>\d+)\] [\w.]+: isattached \{[^{}]*""kubernetes\.io/pvOrVolumeName"":""(?<volume>pv-log-\d{3})""[^{}]*\} node-1 -> Success in \d+ ms$", RegexOptions.CultureInvariant)]
    private static partial Regex VerbLine();
}
