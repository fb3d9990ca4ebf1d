using System.Text.Json.Nodes;
using Simulators.Kubernetes;
using VolumeDriver.Provisioning;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Provisioning;

/// <summary>Replicas as the provisioner mode runs them: one leads through the Lease, the other waits, and takes over when the first stops.</summary>
public sealed class ProvisionerHostTests
{
    [Fact]
    public async Task TwoReplicas_OnlyTheLeaderActs_AndTheOtherTakesOverWhenItStops()
    {
        await using var bed = await ProvisionerTestBed.StartAsync().WithTimeout();
        SeedReleasedLease(bed);
        bed.CreateClass("loop");
        using var stopA = new CancellationTokenSource();
        using var stopB = new CancellationTokenSource();
        var (runA, healthA) = bed.StartReplica("replica-a", stopA.Token);
        await bed.UntilAsync(() => healthA.IsLeading).WithTimeout();
        var (runB, healthB) = bed.StartReplica("replica-b", stopB.Token);
        await bed.UntilAsync(() => healthB.NotReadyBecause() is null).WithTimeout();

        bed.CreateClaim("first", "loop");
        await bed.UntilAsync(() => Phase(bed, "first") == "Bound").WithTimeout();
        Assert.False(healthB.IsLeading);
        Assert.Equal(["replica-a"], ReportingInstances(bed, "first"));

        // SIGTERM to the leader: its work stops, it releases the Lease and exits 0.
        await stopA.CancelAsync().WithTimeout();
        Assert.Equal(0, await runA.WithTimeout());
        Assert.Equal("", (string?)bed.Api.Get(KubernetesResource.Leases, ProvisionerTestBed.LeaseNamespace, "example.com-loop")!["spec"]!["holderIdentity"]);

        // The standby's next try (every 2 s) finds the Lease released and takes it.
        await AdvanceUntilAsync(bed, () => healthB.IsLeading).WithTimeout();

        bed.CreateClaim("second", "loop");
        await bed.UntilAsync(() => Phase(bed, "second") == "Bound").WithTimeout();
        Assert.Equal(["replica-b"], ReportingInstances(bed, "second"));
        Assert.Equal(2, bed.ImageNames().Length);

        await stopB.CancelAsync().WithTimeout();
        Assert.Equal(0, await runB.WithTimeout());
    }

    [Fact]
    public async Task Leader_WhoseLeaseIsTakenByAnother_StopsAtOnceAndExits1()
    {
        await using var bed = await ProvisionerTestBed.StartAsync().WithTimeout();
        SeedReleasedLease(bed);
        using var stop = new CancellationTokenSource();
        var (run, health) = bed.StartReplica("replica-a", stop.Token);
        await bed.UntilAsync(() => health.IsLeading).WithTimeout();

        // Someone else holds the Lease now (as after a partition): the next renewal sees it.
        var key = new KubernetesApiSimulator.ObjectKey(KubernetesResource.Leases, ProvisionerTestBed.LeaseNamespace, "example.com-loop");
        var stolen = bed.Api.Get(KubernetesResource.Leases, ProvisionerTestBed.LeaseNamespace, "example.com-loop")!;
        stolen["spec"]!["holderIdentity"] = "replica-z";
        bed.Api.Store(key, stolen, "MODIFIED");
        await AdvanceUntilAsync(bed, () => run.IsCompleted).WithTimeout();

        Assert.Equal(1, await run.WithTimeout());
        Assert.False(health.IsLeading);
    }

    /// <summary>Moves the manual clock on by one retry period (2 s) at a time until <paramref name="condition"/> holds, giving the replicas' requests real time between steps.</summary>
    private static async Task AdvanceUntilAsync(ProvisionerTestBed bed, Func<bool> condition)
    {
        await StepAsync().WithTimeout(TimeSpan.FromSeconds(30));

        async Task StepAsync()
        {
            while (!condition())
            {
                bed.Clock.Advance(TimeSpan.FromSeconds(2));
                for (var look = 0; look < 10 && !condition(); look++)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
                }
            }
        }
    }

    /// <summary>A released Lease, stored the way the double keeps updated objects (see LeaderElectorTests.SeedLease).</summary>
    private static void SeedReleasedLease(ProvisionerTestBed bed)
    {
        var created = bed.Api.Create(KubernetesResource.Leases, ProvisionerTestBed.LeaseNamespace, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "example.com-loop" },
            ["spec"] = new JsonObject { ["holderIdentity"] = "", ["leaseDurationSeconds"] = 1, ["renewTime"] = "2026-11-22T07:00:00.000000Z", ["leaseTransitions"] = 0 },
        });
        created["metadata"]!["generation"] = 1L;
        bed.Api.Store(new KubernetesApiSimulator.ObjectKey(KubernetesResource.Leases, ProvisionerTestBed.LeaseNamespace, "example.com-loop"), created, "MODIFIED");
    }

    private static string? Phase(ProvisionerTestBed bed, string claim) =>
        (string?)bed.Api.Get(KubernetesResource.PersistentVolumeClaims, "apps", claim)?["status"]?["phase"];

    private static string[] ReportingInstances(ProvisionerTestBed bed, string claim) => [.. bed.Api.List(KubernetesResource.Events)
        .Where(e => (string?)e["involvedObject"]?["name"] == claim && (string?)e["source"]?["component"] == ProvisionerTestBed.Driver)
        .Select(e => (string?)e["reportingInstance"] ?? "")
        .Distinct()];
}
