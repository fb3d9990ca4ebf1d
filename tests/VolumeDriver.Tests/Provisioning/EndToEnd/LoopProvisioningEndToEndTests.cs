using System.Text.Json.Nodes;
using Simulators.Kubernetes;
using VolumeDriver.Tests.Contract;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Provisioning.EndToEnd;

/// <summary>
/// The provisioner of the published binary against the Kubernetes double (PV controller played,
/// RBAC from examples/deploy/provisioner.yaml enforced), on the loop backend, with kubelet's verbs
/// run on real loop devices: a claim gets a PV and a disk that mounts and keeps its data; deleting
/// the claim removes both; 100 claims at once; kill -9 between the disk and the PV; two replicas.
/// </summary>
public sealed class LoopProvisioningEndToEndTests
{
    private const string Driver = "example.com/volume-driver";
    private const string Replica = "replica-a";

    [ProvisionerFact]
    public async Task A_claim_gets_a_prebound_PV_whose_disk_mounts_and_keeps_data_and_deleting_the_claim_removes_disk_and_PV()
    {
        await using var loop = new LoopVolumeFixture();
        await using var bed = await ProvisioningTestBed.StartAsync([Replica]).WithTimeout();
        bed.CreateStorageClass("loop", Driver, new Dictionary<string, string> { ["fsType"] = "ext4" }, mountOptions: ["noatime"]);
        bed.StartProvisioner(Replica, Driver, loop.Environment);

        var claim = bed.CreateClaim("data", "loop", "100Mi");
        var uid = (string)claim["metadata"]!["uid"]!;
        var pv = await WaitForBoundAsync(bed, "data").WithTimeout();

        // Every field the PV must carry.
        var name = "pvc-" + uid;
        Assert.Equal(name, (string?)pv["metadata"]!["name"]);
        Assert.Equal(Driver, (string?)pv["metadata"]!["annotations"]!["pv.kubernetes.io/provisioned-by"]);
        var spec = pv["spec"]!;
        Assert.Equal(Driver, (string?)spec["flexVolume"]!["driver"]);
        Assert.Equal("ext4", (string?)spec["flexVolume"]!["fsType"]);
        var options = (JsonObject)spec["flexVolume"]!["options"]!;
        Assert.Equal(100L << 20, (long)Quantity.Bytes((string?)options["size"]));
        Assert.Equal(100L << 20, (long)Quantity.Bytes((string?)spec["capacity"]!["storage"]));
        Assert.Equal("""["ReadWriteOnce"]""", spec["accessModes"]!.ToJsonString());
        Assert.Equal("loop", (string?)spec["storageClassName"]);
        Assert.Equal("""["noatime"]""", spec["mountOptions"]!.ToJsonString());
        Assert.Equal("Delete", (string?)spec["persistentVolumeReclaimPolicy"]);
        Assert.Equal(ProvisioningTestBed.ClaimNamespace, (string?)spec["claimRef"]!["namespace"]);
        Assert.Equal("data", (string?)spec["claimRef"]!["name"]);
        Assert.Equal(uid, (string?)spec["claimRef"]!["uid"]);
        Assert.Null(spec["nodeAffinity"]);
        Assert.Equal("Bound", (string?)pv["status"]!["phase"]);
        Assert.True(File.Exists(loop.ImagePath(name)), $"no image {loop.ImagePath(name)}");
        Assert.Contains(bed.EventsOf("data"), e => e.Reason == "ProvisioningSucceeded");

        // kubelet's verbs on the PV's options: attach, mount, write, unmount, mount again.
        var kubeletOptions = KubeletOptions(pv);
        var mount = loop.MountPath(name);
        var device = (await loop.ExpectAsync("Success", "attach", kubeletOptions, LoopVolumeFixture.NodeName).WithTimeout()).Device!;
        Assert.Equal(device, (await loop.ExpectAsync("Success", "waitforattach", device, kubeletOptions).WithTimeout()).Device);
        await loop.ExpectAsync("Success", "mountdevice", mount, device, kubeletOptions).WithTimeout();
        Assert.Equal("ext4", LoopVolumeFixture.FilesystemTypeOf(mount));
        await File.WriteAllTextAsync(Path.Join(mount, "data.txt"), "provisioned").WithTimeout();
        await loop.ExpectAsync("Success", "unmountdevice", mount).WithTimeout();
        await loop.ExpectAsync("Success", "mountdevice", mount, device, kubeletOptions).WithTimeout();
        Assert.Equal("provisioned", await File.ReadAllTextAsync(Path.Join(mount, "data.txt")).WithTimeout());
        await loop.ExpectAsync("Success", "unmountdevice", mount).WithTimeout();
        await loop.ExpectAsync("Success", "detach", name, LoopVolumeFixture.NodeName).WithTimeout();

        bed.Api.Delete(KubernetesResource.PersistentVolumeClaims, ProvisioningTestBed.ClaimNamespace, "data");
        await bed.WaitForVolumeGoneAsync(name).WithTimeout();
        Assert.False(File.Exists(loop.ImagePath(name)), "the disk outlived its PV");
        Assert.DoesNotContain(bed.Api.RequestLog, r => r.Status == 403);
    }

    [ProvisionerFact]
    public async Task A_Retain_class_keeps_disk_and_PV_and_a_bad_parameter_is_a_ProvisioningFailed_event_naming_it_with_nothing_created()
    {
        await using var loop = new LoopVolumeFixture();
        await using var bed = await ProvisioningTestBed.StartAsync([Replica]).WithTimeout();
        bed.CreateStorageClass("kept", Driver, new Dictionary<string, string> { ["fsType"] = "ext4" }, reclaimPolicy: "Retain");
        bed.CreateStorageClass("wrong", Driver, new Dictionary<string, string> { ["skuname"] = "Premium_LRS" });
        bed.StartProvisioner(Replica, Driver, loop.Environment);

        var bad = bed.CreateClaim("bad", "wrong", "16Mi");
        await bed.WaitForAsync("a ProvisioningFailed event on bad", _ => bed.EventsOf("bad").FirstOrDefault(e => e.Reason == "ProvisioningFailed").Message, TimeSpan.FromMinutes(1)).WithTimeout();
        Assert.Contains("skuname", bed.EventsOf("bad").First(e => e.Reason == "ProvisioningFailed").Message, StringComparison.Ordinal);
        Assert.False(File.Exists(loop.ImagePath("pvc-" + (string)bad["metadata"]!["uid"]!)));

        bed.CreateClaim("kept", "kept", "16Mi");
        var pv = await WaitForBoundAsync(bed, "kept").WithTimeout();
        var name = (string)pv["metadata"]!["name"]!;
        Assert.Equal("Retain", (string?)pv["spec"]!["persistentVolumeReclaimPolicy"]);
        bed.Api.Delete(KubernetesResource.PersistentVolumeClaims, ProvisioningTestBed.ClaimNamespace, "kept");
        await bed.WaitForAsync("the retained PV Released", a => (string?)a.Get(KubernetesResource.PersistentVolumes, null, name)?["status"]?["phase"] == "Released" ? name : null, TimeSpan.FromMinutes(1)).WithTimeout();

        // The bad claim is never provisioned, and the released Retain volume is never deleted, whatever the provisioner does next.
        bed.CreateClaim("later", "kept", "16Mi");
        await WaitForBoundAsync(bed, "later").WithTimeout();
        Assert.NotNull(bed.Api.Get(KubernetesResource.PersistentVolumes, null, name));
        Assert.True(File.Exists(loop.ImagePath(name)));
        Assert.Equal("Pending", (string?)bed.Api.Get(KubernetesResource.PersistentVolumeClaims, ProvisioningTestBed.ClaimNamespace, "bad")!["status"]!["phase"]);
    }

    [ProvisionerFact]
    public async Task A_hundred_claims_at_once_get_a_hundred_disks_and_PVs_without_a_duplicate()
    {
        await using var loop = new LoopVolumeFixture();
        await using var bed = await ProvisioningTestBed.StartAsync([Replica]).WithTimeout();
        bed.CreateStorageClass("loop", Driver, new Dictionary<string, string> { ["fsType"] = "ext4" });
        bed.StartProvisioner(Replica, Driver, loop.Environment);

        var claims = Enumerable.Range(0, 100).Select(i => bed.CreateClaim($"claim-{i:000}", "loop", "16Mi")).ToList();
        // A create is in the request log once its answer starts, which can be after the PV controller
        // bound the claim: wait for the 100th answer too, then count them.
        static bool IsPvCreate(RequestRecord r) => r is { Method: "POST", Path: "/api/v1/persistentvolumes", Status: 201 };
        await bed.WaitForAsync(
            "100 claims Bound and 100 PV creates answered",
            a => a.List(KubernetesResource.PersistentVolumeClaims).Count(c => (string?)c["status"]?["phase"] == "Bound") == 100 && bed.Api.RequestLog.Count(IsPvCreate) >= 100 ? "done" : null,
            TimeSpan.FromMinutes(5)).WithTimeout();

        var expected = claims.Select(c => "pvc-" + (string)c["metadata"]!["uid"]!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, bed.Api.List(KubernetesResource.PersistentVolumes).Select(v => (string)v["metadata"]!["name"]!).Order(StringComparer.Ordinal));
        Assert.Equal(expected, Directory.EnumerateFiles(loop.ImageDirectory, "*.img").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal));
        Assert.Equal(100, bed.Api.RequestLog.Count(IsPvCreate));
    }

    [ProvisionerFact]
    public async Task Killed_between_creating_the_disk_and_the_PV_the_next_run_converges_on_one_disk_and_one_PV()
    {
        await using var loop = new LoopVolumeFixture();
        await using var bed = await ProvisioningTestBed.StartAsync([Replica]).WithTimeout();
        bed.CreateStorageClass("loop", Driver, new Dictionary<string, string> { ["fsType"] = "ext4" });
        var held = bed.Api.HoldNext("POST", "persistentvolumes");
        var first = bed.StartProvisioner(Replica, Driver, loop.Environment);

        var claim = bed.CreateClaim("crash", "loop", "16Mi");
        var name = "pvc-" + (string)claim["metadata"]!["uid"]!;
        await held.Arrived.WithTimeout(TimeSpan.FromMinutes(1));
        Assert.True(File.Exists(loop.ImagePath(name)), "the PV was asked for before the disk existed");
        await first.KillAsync().WithTimeout();
        await held.Abandoned.WithTimeout();
        Assert.Null(bed.Api.Get(KubernetesResource.PersistentVolumes, null, name));

        bed.StartProvisioner(Replica, Driver, loop.Environment);
        var pv = await WaitForBoundAsync(bed, "crash").WithTimeout();

        Assert.Equal(name, (string?)pv["metadata"]!["name"]);
        Assert.Equal([name], Directory.EnumerateFiles(loop.ImageDirectory, "*.img").Select(Path.GetFileNameWithoutExtension));
        Assert.Single(bed.Api.List(KubernetesResource.PersistentVolumes));
    }

    [ProvisionerFact]
    public async Task Of_two_replicas_only_the_lease_holder_writes_and_the_other_takes_over_when_it_dies()
    {
        await using var loop = new LoopVolumeFixture();
        await using var bed = await ProvisioningTestBed.StartAsync(["replica-a", "replica-b"]).WithTimeout();
        bed.CreateStorageClass("loop", Driver, new Dictionary<string, string> { ["fsType"] = "ext4" });
        var replicas = new[] { bed.StartProvisioner("replica-a", Driver, loop.Environment), bed.StartProvisioner("replica-b", Driver, loop.Environment) };

        foreach (var i in Enumerable.Range(0, 10))
        {
            bed.CreateClaim($"first-{i}", "loop", "16Mi");
        }

        foreach (var i in Enumerable.Range(0, 10))
        {
            await WaitForBoundAsync(bed, $"first-{i}").WithTimeout();
        }

        var leader = bed.LeaseHolder();
        Assert.Contains(leader, new[] { "replica-a", "replica-b" });
        var standby = leader == "replica-a" ? "replica-b" : "replica-a";
        Assert.NotEmpty(bed.WritesBy(leader!));
        Assert.Empty(bed.WritesBy(standby));

        await replicas.Single(r => r.Identity == leader).KillAsync().WithTimeout();
        bed.CreateClaim("after", "loop", "16Mi");
        await WaitForBoundAsync(bed, "after", TimeSpan.FromMinutes(2)).WithTimeout();
        Assert.Equal(standby, bed.LeaseHolder());
        var afterName = (string)bed.Api.Get(KubernetesResource.PersistentVolumeClaims, ProvisioningTestBed.ClaimNamespace, "after")!["spec"]!["volumeName"]!;
        Assert.Contains(bed.WritesBy(standby), r => r.Method == "POST" && r.Path == "/api/v1/persistentvolumes" && r.Status == 201);
        Assert.Equal(11, bed.Api.List(KubernetesResource.PersistentVolumes).Count);
        Assert.True(File.Exists(loop.ImagePath(afterName)));
    }

    [ProvisionerFact]
    public async Task SIGTERM_stops_the_provisioner_cleanly_and_its_health_endpoints_answer_while_it_runs()
    {
        await using var loop = new LoopVolumeFixture();
        await using var bed = await ProvisioningTestBed.StartAsync([Replica]).WithTimeout();
        var port = FreePort();
        var provisioner = bed.StartProvisioner(Replica, Driver, loop.Environment, healthPort: port);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        await bed.WaitForAsync("the provisioner holding its Lease", _ => bed.LeaseHolder(), TimeSpan.FromMinutes(1)).WithTimeout();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync(new Uri("/healthz", UriKind.Relative)).WithTimeout()).StatusCode);
        await EventuallyReadyAsync(http, bed).WithTimeout();

        Assert.Equal(0, await provisioner.StopAsync().WithTimeout());
        Assert.All(provisioner.Output.Where(l => l.StartsWith('{')), line => JsonNode.Parse(line));
    }

    internal static string KubeletOptions(JsonObject pv)
    {
        var options = ((JsonObject)pv["spec"]!["flexVolume"]!["options"]!).ToDictionary(p => p.Key, p => (string)p.Value!);
        options["kubernetes.io/fsType"] = (string?)pv["spec"]!["flexVolume"]!["fsType"] ?? "";
        options["kubernetes.io/pvOrVolumeName"] = (string)pv["metadata"]!["name"]!;
        options["kubernetes.io/readwrite"] = "rw";
        return GoJson.Marshal(options);
    }

    internal static Task<JsonObject> WaitForBoundAsync(ProvisioningTestBed bed, string claim, TimeSpan? limit = null) =>
        bed.WaitForBoundVolumeAsync(claim, limit);

    /// <summary>/readyz turns 200 once the replica reached the API server and, as leader, listed everything; each look follows a change in the double.</summary>
    private static async Task EventuallyReadyAsync(HttpClient http, ProvisioningTestBed bed)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            using var response = await http.GetAsync(new Uri("/readyz", UriKind.Relative)).WithTimeout();
            if (response.StatusCode == System.Net.HttpStatusCode.OK)
            {
                return;
            }

            Assert.True(waited.Elapsed < TimeSpan.FromMinutes(1), "/readyz never answered 200: " + await response.Content.ReadAsStringAsync().WithTimeout());
            var seen = bed.Api.RequestLog.Count;
            await bed.WaitForAsync("another request", a => a.RequestLog.Count > seen ? "more" : null, TimeSpan.FromSeconds(20)).WithTimeout();
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
