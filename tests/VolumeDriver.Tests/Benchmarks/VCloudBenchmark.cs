using System.Diagnostics;
using System.Globalization;
using System.Text;
using VolumeDriver.Tests.Contract;
using VolumeDriver.Tests.TestSupport;
using Xunit.Abstractions;

namespace VolumeDriver.Tests.Benchmarks;

/// <summary>
/// A benchmark, not a test: it reports vCD requests per verb (counted by the double, warm session)
/// and end-to-end attach times, and never fails on a timing. It runs only when
/// VOLUME_DRIVER_BENCH=1 (scripts/bench-vcloud.sh) and writes artifacts/bench-vcloud.md.
/// </summary>
public sealed class VCloudBenchmark(ITestOutputHelper output)
{
    private const int Runs = 7;

    /// <summary>Sizes of the VDC for the Python driver's request model.</summary>
    private const int Disks = 16;
    private const int VApps = 5;

    [BenchmarkFact]
    public async Task RequestsPerVerb_AndAttachTime()
    {
        await using var fixture = await VCloudNodeFixture.StartAsync().WithTimeout();
        for (var i = 0; i < Disks - 1; i++)
        {
            fixture.Simulator.SeedDisk($"other-{i:00}", 64);
        }

        var options = VCloudNodeFixture.Options("pv-bench", size: "64Mi");
        var report = new StringBuilder();
        report.AppendLine("# vCloud backend benchmark").AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"vCD double on 127.0.0.1 (HTTPS), {Disks} disks in the VDC, published driver, every verb a new process, warm session (token cached).").AppendLine();
        report.AppendLine("| verb | vCD requests (task polls) | Python driver's pattern, same verb |").AppendLine("|---|---|---|");

        await fixture.ExpectAsync("node-1", "Success", "attach", options, "node-1").WithTimeout();
        await fixture.ExpectAsync("node-1", "Success", "detach", "pv-bench", "node-1").WithTimeout();
        async Task<(int Total, int Polls)> CountAsync(params string[] args)
        {
            fixture.Simulator.Requests.Reset();
            await fixture.ExpectAsync("node-1", "Success", args).WithTimeout();
            var counts = fixture.Simulator.Requests.Snapshot();
            var polls = counts.GetValueOrDefault("GET /api/task/{id}");
            return (counts.Values.Sum() - polls, polls);
        }

        var isAttached = await CountAsync("isattached", options, "node-1").WithTimeout();
        var attach = await CountAsync("attach", options, "node-1").WithTimeout();
        var device = "/dev/disk/by-id/wwn-0x" + fixture.Simulator.Disks().Single(d => d.Name == "pv-bench").Uuid.Replace("-", string.Empty, StringComparison.Ordinal);
        var waitForAttach = await CountAsync("waitforattach", device, options).WithTimeout();
        var detach = await CountAsync("detach", "pv-bench", "node-1").WithTimeout();

        // The Python driver, per its code (attach.py, detach.py, disk.py, vapp.py): log in, list the
        // VDC's disks with a GET of each and of its attachedVms, find the VM with a vApp query and a
        // GET of every vApp (then rehydrate the session), act, and log out.
        const int pythonDiskScan = 1 + 1 + (2 * Disks);    // org + VDC + each disk + its attachedVms
        const int pythonVmScan = 1 + VApps + 1;            // vApp query + each vApp + session rehydration
        report.AppendLine(CultureInfo.InvariantCulture, $"| isattached | {isAttached.Total} ({isAttached.Polls}) | {1 + pythonDiskScan + 1}: login, {pythonDiskScan} for the disk scan, logout |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| attach (existing disk) | {attach.Total} ({attach.Polls}) | {1 + pythonDiskScan + pythonVmScan + 1 + 1}+polls: login, disk scan, VM scan ({VApps} vApps), POST, logout |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| waitforattach | {waitForAttach.Total} ({waitForAttach.Polls}) | 0 (udev event wait) |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| detach | {detach.Total} ({detach.Polls}) | {1 + pythonDiskScan + pythonVmScan + 1 + 1}+polls |");
        report.AppendLine();

        report.AppendLine("End-to-end `attach` of an existing, detached disk (process start to reply, task 30 ms queued + 150 ms running):").AppendLine();
        report.AppendLine("| injected latency per request | median | min | max |").AppendLine("|---|---|---|---|");
        foreach (var latency in new[] { TimeSpan.Zero, TimeSpan.FromMilliseconds(20) })
        {
            fixture.Simulator.SetLatency(latency);
            var times = new List<double>();
            for (var run = 0; run < Runs; run++)
            {
                var watch = Stopwatch.StartNew();
                await fixture.ExpectAsync("node-1", "Success", "attach", options, "node-1").WithTimeout();
                times.Add(watch.Elapsed.TotalMilliseconds);
                await fixture.ExpectAsync("node-1", "Success", "detach", "pv-bench", "node-1").WithTimeout();
            }

            times.Sort();
            report.AppendLine(CultureInfo.InvariantCulture, $"| {latency.TotalMilliseconds:0} ms | {times[times.Count / 2]:0} ms | {times[0]:0} ms | {times[^1]:0} ms |");
        }

        report.AppendLine().Append(await SlotDiscoveryAsync().WithTimeout());
        await BenchmarkReport.PublishAsync(output, "bench-vcloud", report.ToString()).WithTimeout();
    }

    /// <summary>
    /// A server without API 36 (no UUIDs) and a guest without disk.enableUUID: waitforattach and
    /// mountdevice ask vCloud for the VM's disk layout and match it against the kernel's SCSI hosts.
    /// </summary>
    private static async Task<string> SlotDiscoveryAsync()
    {
        await using var fixture = await VCloudNodeFixture.StartAsync(simulatorOptions: o => o with
        {
            Versions = ["27.0", "29.0", "30.0", "31.0", "32.0", "33.0", "34.0", "35.0"],
            GuestSeesDiskUuid = false,
        }).WithTimeout();
        var options = VCloudNodeFixture.Options("pv-slot", size: "64Mi");
        await fixture.ExpectAsync("node-1", "Success", "attach", options, "node-1").WithTimeout();
        await fixture.ExpectAsync("node-1", "Success", "isattached", options, "node-1").WithTimeout();
        fixture.Simulator.Requests.Reset();
        var device = (await fixture.ExpectAsync("node-1", "Success", "waitforattach", string.Empty, options).WithTimeout()).Device!;
        var waitForAttach = fixture.Simulator.Requests.Snapshot().Values.Sum();
        var mount = fixture.MountPath("node-1", "pv-slot");
        fixture.Simulator.Requests.Reset();
        await fixture.ExpectAsync("node-1", "Success", "mountdevice", mount, device, options).WithTimeout();
        var mountDevice = fixture.Simulator.Requests.Snapshot().Values.Sum();
        await fixture.ExpectAsync("node-1", "Success", "unmountdevice", mount).WithTimeout();
        await fixture.ExpectAsync("node-1", "Success", "detach", "pv-slot", "node-1").WithTimeout();

        return new StringBuilder()
            .AppendLine("Without API 36 (no disk UUIDs) and without disk.enableUUID, the node locates the disk by its slot:").AppendLine()
            .AppendLine("| verb | vCD requests | what they are |").AppendLine("|---|---|---|")
            .AppendLine(CultureInfo.InvariantCulture, $"| waitforattach | {waitForAttach} | disk query, VM query, GET VM (hardware section) |")
            .AppendLine(CultureInfo.InvariantCulture, $"| mountdevice (checks the device against the slot again) | {mountDevice} | the same |")
            .ToString();
    }
}

/// <summary>Runs only when VOLUME_DRIVER_BENCH=1, and only where the lifecycle tests can run.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BenchmarkFactAttribute : FactAttribute
{
    public BenchmarkFactAttribute()
    {
        Skip = Environment.GetEnvironmentVariable("VOLUME_DRIVER_BENCH") != "1"
            ? "a benchmark: run scripts/bench-vcloud.sh"
            : new LifecycleFactAttribute().Skip;
    }
}
