using System.Globalization;
using System.Text;
using Simulators.Kubernetes;
using VolumeDriver.Tests.Contract;
using VolumeDriver.Tests.TestSupport;
using Xunit.Abstractions;

namespace VolumeDriver.Tests.Provisioning.EndToEnd;

/// <summary>
/// A benchmark, not a test: 100 claims created at once on the loop backend, and for each the time
/// from its creation to the provisioner's PV create reaching the Kubernetes double (median, p90,
/// max). VOLUME_DRIVER_BENCH=1 only (scripts/bench-provisioner.sh); writes artifacts/bench-provisioner.md.
/// Timings never fail it.
/// </summary>
public sealed class ProvisioningBenchmark(ITestOutputHelper output)
{
    [ProvisionerBenchmarkFact]
    public async Task HundredClaims_TimeFromClaimToVolume()
    {
        await using var loop = new LoopVolumeFixture();
        await using var bed = await ProvisioningTestBed.StartAsync(["replica-a"]).WithTimeout();
        bed.CreateStorageClass("loop", "example.com/volume-driver", new Dictionary<string, string> { ["fsType"] = "ext4" });
        bed.StartProvisioner("replica-a", "example.com/volume-driver", loop.Environment);
        await bed.WaitForAsync("the provisioner holding its Lease", _ => bed.LeaseHolder(), TimeSpan.FromMinutes(1)).WithTimeout();

        var created = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var i in Enumerable.Range(0, 100))
        {
            var at = TimeProvider.System.GetUtcNow();
            var claim = bed.CreateClaim($"bench-{i:000}", "loop", "16Mi");
            created["pvc-" + (string)claim["metadata"]!["uid"]!] = at;
        }

        // The PV create as the double received it: the request's arrival, by the name it stored.
        bool IsPvCreate(RequestRecord r) => r is { Method: "POST", Path: "/api/v1/persistentvolumes", Status: 201 } && r.Name is not null && created.ContainsKey(r.Name);

        // A create is in the request log once its answer starts, which can be after the PV controller
        // bound the claim: wait for both.
        await bed.WaitForAsync(
            "100 claims Bound and their 100 PV creates answered",
            a => a.List(KubernetesResource.PersistentVolumeClaims).Count(c => (string?)c["status"]?["phase"] == "Bound") == 100 && bed.Api.RequestLog.Count(IsPvCreate) == 100 ? "done" : null,
            TimeSpan.FromMinutes(10)).WithTimeout();

        var seconds = bed.Api.RequestLog
            .Where(IsPvCreate)
            .Select(r => (r.At - created[r.Name!]).TotalSeconds)
            .Order()
            .ToList();
        string Percentile(double p) => seconds[Math.Min(seconds.Count - 1, (int)Math.Ceiling(p * seconds.Count) - 1)].ToString("0.000", CultureInfo.InvariantCulture);

        var report = new StringBuilder()
            .AppendLine("# Provisioner benchmark: 100 claims at once")
            .AppendLine()
            .AppendLine("Published binary (`volume-driver provisioner`, 4 workers) against the Kubernetes double on 127.0.0.1 (HTTPS, PV controller played, RBAC of examples/deploy/provisioner.yaml), loop backend (16Mi sparse images). Time from a claim's create to its PV's create arriving at the double.")
            .AppendLine()
            .AppendLine("| claims | median s | p90 s | max s |")
            .AppendLine("|---|---|---|---|")
            .AppendLine(CultureInfo.InvariantCulture, $"| {seconds.Count} | {Percentile(0.5)} | {Percentile(0.9)} | {seconds[^1]:0.000} |");
        output.WriteLine(report.ToString());
        var artifacts = Path.Join(Configuration.ConfigurationLoaderTests.FindRepositoryRoot(), "artifacts");
        Directory.CreateDirectory(artifacts);
        await File.WriteAllTextAsync(Path.Join(artifacts, "bench-provisioner.md"), report.ToString()).WithTimeout();
        Assert.Equal(100, seconds.Count);
    }
}
