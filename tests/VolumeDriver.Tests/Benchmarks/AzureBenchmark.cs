using System.Diagnostics;
using System.Globalization;
using System.Text;
using VolumeDriver.Tests.Contract;
using VolumeDriver.Tests.TestSupport;
using Xunit.Abstractions;

namespace VolumeDriver.Tests.Benchmarks;

/// <summary>
/// A benchmark, not a test: ARM requests per verb (counted by the double) and end-to-end attach time
/// with 20 ms of injected latency, for 1 and for 16 concurrent attaches to one VM, beside the in-tree
/// plugin's pattern (GET VM + PUT VM per disk, no batching). VOLUME_DRIVER_BENCH=1 only
/// (scripts/bench-azure.sh); writes artifacts/bench-azure.md.
/// </summary>
public sealed class AzureBenchmark(ITestOutputHelper output)
{
    [BenchmarkFact]
    public async Task RequestsPerVerb_AndAttachTimes()
    {
        await using var cloud = await AzureTestCloud.StartAsync(["node-1"], TimeSpan.FromMilliseconds(300)).WithTimeout();
        var report = new StringBuilder();
        report.AppendLine("# Azure managed-disk benchmark").AppendLine();
        report.AppendLine("ARM double on 127.0.0.1 (HTTPS), VM operations 300 ms, Retry-After 0, published driver, every verb a new process (token fetched per process).").AppendLine();
        report.AppendLine("| verb | ARM requests (of which token) | in-tree azure_dd pattern |").AppendLine("|---|---|---|");

        var options = AzureTestCloud.Options("pv-bench");
        await cloud.ExpectAsync("node-1", "Success", "attach", options, "node-1").WithTimeout();
        await cloud.ExpectAsync("node-1", "Success", "detach", "pv-bench", "node-1").WithTimeout();
        async Task<(int Total, int Token)> CountAsync(params string[] args)
        {
            cloud.Arm.Requests.Reset();
            await cloud.ExpectAsync("node-1", "Success", args).WithTimeout();
            var counts = cloud.Arm.Requests.Snapshot();
            return (counts.Values.Sum(), counts.Where(p => p.Key.Contains("/oauth2/", StringComparison.Ordinal)).Sum(p => p.Value));
        }

        var isAttached = await CountAsync("isattached", options, "node-1").WithTimeout();
        var attach = await CountAsync("attach", options, "node-1").WithTimeout();
        var detach = await CountAsync("detach", "pv-bench", "node-1").WithTimeout();
        report.AppendLine(CultureInfo.InvariantCulture, $"| isattached | {isAttached.Total} ({isAttached.Token}) | GET VM |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| attach (existing disk) | {attach.Total} ({attach.Token}) | GET VM, PUT VM, LRO polls (default 60 s delay without Retry-After) |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| detach | {detach.Total} ({detach.Token}) | GET VM, PUT VM, LRO polls |");
        report.AppendLine();

        cloud.Arm.Latency = TimeSpan.FromMilliseconds(20);
        var single = Stopwatch.StartNew();
        await cloud.ExpectAsync("node-1", "Success", "attach", options, "node-1").WithTimeout();
        single.Stop();

        foreach (var i in Enumerable.Range(0, 16))
        {
            cloud.Arm.SeedDisk($"pv-c{i:00}", 1);
        }

        cloud.Arm.Requests.Reset();
        var many = Stopwatch.StartNew();
        var runs = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => cloud.RunAsync("node-1", "attach", AzureTestCloud.Options($"pv-c{i:00}"), "node-1"))).WithTimeout(TimeSpan.FromMinutes(5));
        many.Stop();
        Assert.All(runs, r => Assert.Equal("Success", r.Status.Status));
        var updates = cloud.Arm.VmUpdates;
        var total = cloud.Arm.Requests.Total;

        await cloud.Arm.WaitForIdleAsync(TimeSpan.FromSeconds(30)).WithTimeout();
        cloud.Arm.Requests.Reset();
        var drain = Stopwatch.StartNew();
        var detaches = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => cloud.RunAsync("node-1", "detach", $"pv-c{i:00}", "node-1"))).WithTimeout(TimeSpan.FromMinutes(5));
        drain.Stop();
        Assert.All(detaches, r => Assert.Equal("Success", r.Status.Status));
        var detachUpdates = cloud.Arm.VmUpdates;
        var detachTotal = cloud.Arm.Requests.Total;

        report.AppendLine("With 20 ms added to every ARM request:").AppendLine();
        report.AppendLine("| case | wall time | VM updates | ARM requests | in-tree pattern |").AppendLine("|---|---|---|---|---|");
        report.AppendLine(CultureInfo.InvariantCulture, $"| 1 attach | {single.Elapsed.TotalMilliseconds:0} ms | 1 | {attach.Total} | 1 update |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| 16 concurrent attaches, one VM | {many.Elapsed.TotalMilliseconds:0} ms | {updates} | {total} | 16 updates, one after another |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| 16 concurrent detaches, one VM (a drain) | {drain.Elapsed.TotalMilliseconds:0} ms | {detachUpdates} | {detachTotal} | 16 updates, one after another |");

        await BenchmarkReport.PublishAsync(output, "bench-azure", report.ToString()).WithTimeout();
        await cloud.Arm.WaitForIdleAsync(TimeSpan.FromSeconds(30)).WithTimeout();
    }
}
