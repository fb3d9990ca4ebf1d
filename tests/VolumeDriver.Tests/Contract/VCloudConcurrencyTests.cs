using System.Collections.Concurrent;
using VolumeDriver.Tests.TestSupport;
using Xunit.Abstractions;

namespace VolumeDriver.Tests.Contract;

/// <summary>
/// Many volumes moving between three emulated nodes at once, every verb a separate driver process
/// as kubelet runs it, attach and detach serialised per VM by one real etcd. Whatever the
/// interleaving: no disk is ever attached to two VMs, every mounted filesystem is the volume's own
/// (its marker file carries its name and the last count written), and nothing is left attached.
/// </summary>
public sealed class VCloudConcurrencyTests(ITestOutputHelper output)
{
    private const int Volumes = 16;
    private static readonly TimeSpan RunFor = TimeSpan.FromSeconds(40);

    [LifecycleFact]
    public async Task SixteenVolumesOnThreeNodes_RandomAttachDetachAndDrain_StayConsistent()
    {
        Assert.Null(EtcdServer.MissingReason);
        await using var etcd = await EtcdServer.StartAsync().WithTimeout();
        await using var fixture = await VCloudNodeFixture.StartAsync(etcdEndpoint: etcd.ClientUrl.ToString(), drainWait: "1s").WithTimeout();
        var violations = new ConcurrentQueue<string>();
        using var stopMonitor = new CancellationTokenSource();
        var monitor = MonitorAsync(fixture, violations, stopMonitor.Token);
        var deadline = DateTimeOffset.UtcNow + RunFor;
        var cycles = new int[Volumes];

        await Task.WhenAll(Enumerable.Range(0, Volumes).Select(i => Task.Run(() => VolumeWorkerAsync(fixture, i, deadline, violations, cycles)))).WithTimeout(RunFor + TimeSpan.FromMinutes(3));
        await stopMonitor.CancelAsync().WithTimeout();
        await monitor.WithTimeout();

        output.WriteLine($"{cycles.Sum()} mount cycles of {Volumes} volumes in {RunFor.TotalSeconds:0} s; vCD requests: {fixture.Simulator.Requests.Total}");
        Assert.Empty(violations);
        Assert.All(cycles, c => Assert.True(c >= 1, "a volume never completed a mount cycle"));
        Assert.All(fixture.Simulator.Disks(), d => Assert.Empty(d.AttachedVms));
        Assert.Equal(0, fixture.Simulator.MultipleAuthHeaderRequests);
        Assert.Equal(0, await etcd.CountKeysAsync("volume-driver/vm/").WithTimeout());
    }

    /// <summary>One volume, as kubelet would move it: serially, to a random node each cycle, sometimes racing the old node.</summary>
    private static async Task VolumeWorkerAsync(VCloudNodeFixture fixture, int index, DateTimeOffset deadline, ConcurrentQueue<string> violations, int[] cycles)
    {
        var random = new Random(1000 + index);
        var volume = $"pv-c{index:00}";
        var options = VCloudNodeFixture.Options(volume, size: "64Mi");
        string? current = null;
        var written = 0;
        while (DateTimeOffset.UtcNow < deadline)
        {
            var target = VCloudNodeFixture.Nodes[random.Next(VCloudNodeFixture.Nodes.Length)];
            if (current is not null && current != target)
            {
                if (random.Next(2) == 0)
                {
                    // The drain race: the new node attaches first and must be refused, naming the old VM.
                    var early = await fixture.RunAsync(target, "attach", options, target).WithTimeout();
                    if (early.Status.Status != "Failure" || !early.Status.Message!.Contains($"VM '{current}'", StringComparison.Ordinal))
                    {
                        violations.Enqueue($"{volume}: attach on {target} while attached to {current} answered {early.Text}");
                    }
                }

                await fixture.ExpectAsync(current, "Success", "unmountdevice", fixture.MountPath(current, volume)).WithTimeout();
                await fixture.ExpectAsync(current, "Success", "detach", volume, current).WithTimeout();
                current = null;
            }

            var device = (await fixture.ExpectAsync(target, "Success", "attach", options, target).WithTimeout()).Device!;
            current = target;
            await fixture.ExpectAsync(target, "Success", "waitforattach", device, options).WithTimeout();
            var mount = fixture.MountPath(target, volume);
            await fixture.ExpectAsync(target, "Success", "mountdevice", mount, device, options).WithTimeout();
            var marker = Path.Join(mount, "marker");
            var expected = written == 0 ? null : $"{volume}:{written}";
            var found = File.Exists(marker) ? await File.ReadAllTextAsync(marker).WithTimeout() : null;
            if (found != expected)
            {
                violations.Enqueue($"{volume} on {target}: the mounted filesystem holds '{found}', expected '{expected}'");
            }

            written++;
            await File.WriteAllTextAsync(marker, $"{volume}:{written}").WithTimeout();
            cycles[index]++;
            if (random.Next(3) == 0)
            {
                await fixture.ExpectAsync(target, "Success", "unmountdevice", mount).WithTimeout();
                await fixture.ExpectAsync(target, "Success", "detach", volume, target).WithTimeout();
                current = null;
            }
        }

        if (current is not null)
        {
            await fixture.ExpectAsync(current, "Success", "unmountdevice", fixture.MountPath(current, volume)).WithTimeout();
            await fixture.ExpectAsync(current, "Success", "detach", volume, current).WithTimeout();
        }
    }

    private static async Task MonitorAsync(VCloudNodeFixture fixture, ConcurrentQueue<string> violations, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            foreach (var disk in fixture.Simulator.Disks())
            {
                if (disk.AttachedVms.Count > 1 || disk.HeldByVms.Count > 1)
                {
                    violations.Enqueue($"{disk.Name} attached to {string.Join(", ", disk.AttachedVms)} (hardware of {string.Join(", ", disk.HeldByVms)})");
                }
            }

            try
            {
                await Task.Delay(20, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
