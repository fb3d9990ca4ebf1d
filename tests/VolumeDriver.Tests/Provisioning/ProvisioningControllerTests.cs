using System.Text.Json.Nodes;
using Simulators.Kubernetes;
using VolumeDriver.Backends;
using VolumeDriver.Domain;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Provisioning;

/// <summary>The controller against the Kubernetes API double (playing the PV controller) on the loop backend.</summary>
public sealed class ProvisioningControllerTests
{
    private static readonly KubernetesResource Volumes = KubernetesResource.PersistentVolumes;
    private static readonly KubernetesResource Claims = KubernetesResource.PersistentVolumeClaims;

    [Fact]
    public async Task Provision_ClassAndClaim_GivesOneDiskAndABoundPvWithEveryField()
    {
        await using var bed = await ProvisionerTestBed.StartAsync().WithTimeout();
        bed.CreateClass("loop-xfs", new JsonObject { ["fstype"] = "xfs" }, mountOptions: new JsonArray("noatime"));
        var uid = Uid(bed.CreateClaim("data", "loop-xfs", storage: "1500k"));
        var pvName = "pvc-" + uid;
        bed.Start();

        await bed.UntilAsync(() => Phase(bed.Api.Get(Claims, "apps", "data")) == "Bound").WithTimeout();

        Assert.Equal([pvName], bed.ImageNames());
        Assert.Equal(2L << 20, new FileInfo(Path.Join(bed.Images, pvName + ".img")).Length);
        var pv = bed.Api.Get(Volumes, null, pvName)!;
        Assert.Equal(ProvisionerTestBed.Driver, (string?)pv["metadata"]!["annotations"]!["pv.kubernetes.io/provisioned-by"]);
        var spec = pv["spec"]!;
        Assert.Equal("2Mi", (string?)spec["capacity"]!["storage"]);
        Assert.Equal(["ReadWriteOnce"], spec["accessModes"]!.AsArray().Select(m => (string?)m));
        Assert.Equal("Delete", (string?)spec["persistentVolumeReclaimPolicy"]);
        Assert.Equal("loop-xfs", (string?)spec["storageClassName"]);
        Assert.Equal(["noatime"], spec["mountOptions"]!.AsArray().Select(m => (string?)m));
        var claimRef = spec["claimRef"]!;
        Assert.Equal(("PersistentVolumeClaim", "apps", "data", uid, "v1"), ((string?)claimRef["kind"], (string?)claimRef["namespace"], (string?)claimRef["name"], (string?)claimRef["uid"], (string?)claimRef["apiVersion"]));
        var flex = spec["flexVolume"]!;
        Assert.Equal(ProvisionerTestBed.Driver, (string?)flex["driver"]);
        Assert.Equal("xfs", (string?)flex["fsType"]);
        Assert.Equal(new Dictionary<string, string?> { ["size"] = "2Mi", ["mountOptions"] = "noatime" }, flex["options"]!.AsObject().ToDictionary(p => p.Key, p => (string?)p.Value));
        Assert.Null(spec["nodeAffinity"]);
        Assert.Equal(pvName, (string?)bed.Api.Get(Claims, "apps", "data")!["spec"]!["volumeName"]);
        await bed.UntilAsync(() => bed.EventsOn("data").Count(e => e.StartsWith("Normal Provisioning", StringComparison.Ordinal)) == 2).WithTimeout();
        Assert.Contains("Normal Provisioning: External provisioner is provisioning volume for claim \"apps/data\"", bed.EventsOn("data"));
        Assert.Contains($"Normal ProvisioningSucceeded: Successfully provisioned volume {pvName}", bed.EventsOn("data"));
        var succeeded = bed.Api.List(KubernetesResource.Events).Single(e => (string?)e["reason"] == "ProvisioningSucceeded");
        Assert.Equal("apps", (string?)succeeded["metadata"]!["namespace"]);
        Assert.StartsWith("data.", (string?)succeeded["metadata"]!["name"], StringComparison.Ordinal);
        Assert.Equal(ProvisionerTestBed.Driver, (string?)succeeded["source"]!["component"]);
        Assert.Equal(uid, (string?)succeeded["involvedObject"]!["uid"]);
        Assert.Equal(1, (int?)succeeded["count"]);
    }

    [Fact]
    public async Task Provision_AfterACrashBetweenDiskAndPv_ConvergesOnOneDisk()
    {
        await using var bed = await ProvisionerTestBed.StartAsync().WithTimeout();
        bed.CreateClass("loop");
        var uid = Uid(bed.CreateClaim("data", "loop"));
        Assert.True(VolumeName.TryCreate("pvc-" + uid, out var name, out _));
        var first = await bed.Disk.ProvisionAsync(new DiskRequest(name.Value, new ByteSize(100L << 20), new Dictionary<string, string>()), CancellationToken.None).WithTimeout();
        Assert.True(first.Created);
        bed.Start();

        await bed.UntilAsync(() => Phase(bed.Api.Get(Claims, "apps", "data")) == "Bound").WithTimeout();

        Assert.Equal(["pvc-" + uid], bed.ImageNames());
        Assert.Single(bed.Api.List(Volumes));
    }

    [Fact]
    public async Task Provision_Restarted_FindsItsWorkDoneAndCreatesNothingTwice()
    {
        await using var bed = await ProvisionerTestBed.StartAsync().WithTimeout();
        bed.CreateClass("loop");
        bed.CreateClaim("data", "loop");
        bed.Start();
        await bed.UntilAsync(() => Phase(bed.Api.Get(Claims, "apps", "data")) == "Bound").WithTimeout();
        await bed.StopAsync().WithTimeout();

        bed.Start();
        bed.CreateClaim("later", "loop");
        await bed.UntilAsync(() => Phase(bed.Api.Get(Claims, "apps", "later")) == "Bound").WithTimeout();

        Assert.Equal(2, bed.ImageNames().Length);
        Assert.Equal(2, bed.Api.Requests.Count(r => r.StartsWith("POST /api/v1/persistentvolumes", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Provision_UnknownKey_IsAProvisioningFailedEventNamingIt_AndCreatesNothing()
    {
        await using var bed = await ProvisionerTestBed.StartAsync().WithTimeout();
        bed.CreateClass("loop-typo", new JsonObject { ["skuname"] = "Premium_LRS" });
        bed.CreateClaim("data", "loop-typo");
        bed.Start();

        await bed.UntilAsync(() => bed.EventsOn("data").Any(e => e.StartsWith("Warning ProvisioningFailed", StringComparison.Ordinal))).WithTimeout();

        var failed = bed.EventsOn("data").Single(e => e.StartsWith("Warning ProvisioningFailed", StringComparison.Ordinal));
        Assert.Contains("'skuname'", failed, StringComparison.Ordinal);
        Assert.Contains("StorageClass loop-typo", failed, StringComparison.Ordinal);
        Assert.Empty(bed.ImageNames());
        Assert.Empty(bed.Api.List(Volumes));
    }

    [Theory]
    [InlineData("ReadWriteMany", null, "ReadWriteMany")]
    [InlineData("ReadWriteOnce", "Block", "until the driver serves block volumes")]
    public async Task Provision_ManyNodesOrBlock_IsRefusedWithAnEvent(string accessMode, string? volumeMode, string said)
    {
        await using var bed = await ProvisionerTestBed.StartAsync().WithTimeout();
        bed.CreateClass("loop");
        bed.CreateClaim("data", "loop", accessMode: accessMode, volumeMode: volumeMode);
        bed.Start();

        await bed.UntilAsync(() => bed.EventsOn("data").Any(e => e.StartsWith("Warning ProvisioningFailed", StringComparison.Ordinal))).WithTimeout();

        Assert.Contains(said, bed.EventsOn("data").Single(e => e.StartsWith("Warning", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Empty(bed.ImageNames());
        Assert.Empty(bed.Api.List(Volumes));
    }

    [Fact]
    public async Task Provision_OtherProvisionersClass_IsLeftAlone()
    {
        await using var bed = await ProvisionerTestBed.StartAsync().WithTimeout();
        bed.Api.Create(KubernetesResource.StorageClasses, null, new JsonObject
        {
            ["apiVersion"] = "storage.k8s.io/v1",
            ["kind"] = "StorageClass",
            ["metadata"] = new JsonObject { ["name"] = "theirs" },
            ["provisioner"] = "disk.csi.azure.com",
        });
        bed.CreateClass("ours");
        bed.CreateClaim("theirs-claim", "theirs");
        bed.CreateClaim("ours-claim", "ours");
        bed.Start();

        await bed.UntilAsync(() => Phase(bed.Api.Get(Claims, "apps", "ours-claim")) == "Bound").WithTimeout();

        Assert.Single(bed.ImageNames());
        Assert.Equal("Pending", Phase(bed.Api.Get(Claims, "apps", "theirs-claim")));
        Assert.DoesNotContain(bed.EventsOn("theirs-claim"), e => e.Contains("Provisioning", StringComparison.Ordinal) && !e.Contains("ExternalProvisioning", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Provision_WaitForFirstConsumer_WaitsForTheSelectedNode()
    {
        await using var bed = await ProvisionerTestBed.StartAsync().WithTimeout();
        bed.CreateClass("loop-wffc", bindingMode: "WaitForFirstConsumer");
        bed.Api.Create(KubernetesResource.Nodes, null, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Node",
            ["metadata"] = new JsonObject { ["name"] = "node-1", ["labels"] = new JsonObject { ["topology.kubernetes.io/zone"] = "0" } },
        });
        bed.CreateClaim("data", "loop-wffc");
        bed.CreateClass("loop");
        bed.CreateClaim("other", "loop");
        bed.Start();
        await bed.UntilAsync(() => Phase(bed.Api.Get(Claims, "apps", "other")) == "Bound").WithTimeout();

        Assert.Single(bed.ImageNames());
        Assert.Equal("Pending", Phase(bed.Api.Get(Claims, "apps", "data")));

        var select = new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { ["volume.kubernetes.io/selected-node"] = "node-1" } } };
        await bed.Client.PatchAsync(VolumeDriver.Kubernetes.KubernetesResources.PersistentVolumeClaims, "apps", "data", select, CancellationToken.None).WithTimeout();

        await bed.UntilAsync(() => Phase(bed.Api.Get(Claims, "apps", "data")) == "Bound").WithTimeout();
        Assert.Equal(2, bed.ImageNames().Length);
    }

    [Fact]
    public async Task Delete_ReleasedWithReclaimDelete_RemovesTheDiskThenThePv()
    {
        await using var bed = await ProvisionerTestBed.StartAsync().WithTimeout();
        bed.CreateClass("loop");
        var pvName = "pvc-" + Uid(bed.CreateClaim("data", "loop"));
        bed.Start();
        await bed.UntilAsync(() => Phase(bed.Api.Get(Claims, "apps", "data")) == "Bound").WithTimeout();

        bed.Api.Delete(Claims, "apps", "data");

        await bed.UntilAsync(() => bed.Api.Get(Volumes, null, pvName) is null).WithTimeout();
        Assert.Empty(bed.ImageNames());
        Assert.Contains(bed.Api.Requests, r => r.StartsWith($"DELETE /api/v1/persistentvolumes/{pvName}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Delete_DiskStillAttached_IsRetriedWithBackoffAndNeverForced()
    {
        await using var bed = await ProvisionerTestBed.StartAsync().WithTimeout();
        bed.CreateClass("loop");
        var pvName = "pvc-" + Uid(bed.CreateClaim("data", "loop"));
        bed.Start();
        await bed.UntilAsync(() => Phase(bed.Api.Get(Claims, "apps", "data")) == "Bound").WithTimeout();
        bed.SimulateAttached(pvName);

        bed.Api.Delete(Claims, "apps", "data");

        await bed.UntilAsync(() => bed.EventsOn(pvName).Any(e => e.StartsWith("Warning VolumeFailedDelete", StringComparison.Ordinal))).WithTimeout();
        Assert.Contains("attached", bed.EventsOn(pvName).First(e => e.StartsWith("Warning VolumeFailedDelete", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Equal([pvName], bed.ImageNames());
        Assert.NotNull(bed.Api.Get(Volumes, null, pvName));

        // Still attached when the first backoff (1 s) is over: refused again, still there.
        await bed.Clock.WaitForTimerAsync(TimeSpan.FromSeconds(1)).WithTimeout();
        bed.Clock.Advance(TimeSpan.FromSeconds(1));
        await bed.UntilAsync(() => bed.EventsOn(pvName).Count(e => e.StartsWith("Warning VolumeFailedDelete", StringComparison.Ordinal)) == 2).WithTimeout();
        Assert.Equal([pvName], bed.ImageNames());

        // Detached: the next try (after 2 s) deletes both.
        bed.SimulateDetached();
        await bed.Clock.WaitForTimerAsync(TimeSpan.FromSeconds(2)).WithTimeout();
        bed.Clock.Advance(TimeSpan.FromSeconds(2));
        await bed.UntilAsync(() => bed.Api.Get(Volumes, null, pvName) is null).WithTimeout();
        Assert.Empty(bed.ImageNames());
    }

    [Fact]
    public async Task Delete_ReclaimRetain_LeavesTheDiskAndThePv()
    {
        await using var bed = await ProvisionerTestBed.StartAsync().WithTimeout();
        bed.CreateClass("loop-retain", reclaimPolicy: "Retain");
        bed.CreateClass("loop");
        var pvName = "pvc-" + Uid(bed.CreateClaim("data", "loop-retain"));
        bed.Start();
        await bed.UntilAsync(() => Phase(bed.Api.Get(Claims, "apps", "data")) == "Bound").WithTimeout();

        bed.Api.Delete(Claims, "apps", "data");
        await bed.UntilAsync(() => Phase(bed.Api.Get(Volumes, null, pvName)) == "Released").WithTimeout();
        // A later claim's whole round trip proves the controller saw the release and went on.
        var laterPv = "pvc-" + Uid(bed.CreateClaim("later", "loop"));
        await bed.UntilAsync(() => Phase(bed.Api.Get(Claims, "apps", "later")) == "Bound").WithTimeout();
        bed.Api.Delete(Claims, "apps", "later");
        await bed.UntilAsync(() => bed.Api.Get(Volumes, null, laterPv) is null).WithTimeout();

        Assert.Equal([pvName], bed.ImageNames());
        Assert.Equal("Released", Phase(bed.Api.Get(Volumes, null, pvName)));
    }

    private static string Uid(JsonObject created) => (string)created["metadata"]!["uid"]!;

    private static string? Phase(JsonObject? stored) => (string?)stored?["status"]?["phase"];
}
