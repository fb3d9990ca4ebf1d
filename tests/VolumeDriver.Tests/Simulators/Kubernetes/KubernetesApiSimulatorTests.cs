using System.Net;
using System.Text.Json.Nodes;
using Simulators.Kubernetes;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Simulators.Kubernetes;

/// <summary>
/// The Kubernetes API double's semantics, driven with raw HTTP: what a provisioner built from the API
/// concepts page must meet (docs/research/kubernetes-provisioning.md §3).
/// </summary>
public sealed class KubernetesApiSimulatorTests
{
    private const string Claims = "/api/v1/namespaces/apps/persistentvolumeclaims";
    private const string Volumes = "/api/v1/persistentvolumes";
    private const string Classes = "/apis/storage.k8s.io/v1/storageclasses";

    [Fact]
    public async Task A_request_without_the_token_is_a_401_status()
    {
        await using var api = await KubernetesApiSimulator.StartAsync(new KubernetesApiOptions()).WithTimeout();
        using var client = new RawKubernetesClient(api, token: "wrong");

        var (status, body) = await client.SendAsync(HttpMethod.Get, Volumes).WithTimeout();

        Assert.Equal(401, status);
        Assert.Equal("Status", (string?)body["kind"]);
        Assert.Equal("Failure", (string?)body["status"]);
        Assert.Equal(401, (int?)body["code"]);
    }

    [Fact]
    public async Task Create_assigns_identity_and_version_adds_the_protection_finalizer_and_a_second_create_is_AlreadyExists()
    {
        await using var api = await KubernetesApiSimulator.StartAsync(new KubernetesApiOptions()).WithTimeout();
        using var client = new RawKubernetesClient(api);

        var (status, created) = await client.SendAsync(HttpMethod.Post, Claims, Claim("data", "fast", status: new JsonObject { ["phase"] = "Bound" })).WithTimeout();

        Assert.True(status == 201, created.ToJsonString());
        Assert.Equal("PersistentVolumeClaim", (string?)created["kind"]);
        Assert.Equal("apps", (string?)created["metadata"]!["namespace"]);
        Assert.True(Guid.TryParse((string?)created["metadata"]!["uid"], out _));
        Assert.NotNull((string?)created["metadata"]!["resourceVersion"]);
        Assert.NotNull((string?)created["metadata"]!["creationTimestamp"]);
        Assert.Equal(["kubernetes.io/pvc-protection"], ((JsonArray)created["metadata"]!["finalizers"]!).Select(f => (string?)f));
        Assert.Equal("Pending", (string?)created["status"]!["phase"]);
        Assert.Equal("Filesystem", (string?)created["spec"]!["volumeMode"]);

        var (again, conflict) = await client.SendAsync(HttpMethod.Post, Claims, Claim("data", "fast")).WithTimeout();
        Assert.Equal(409, again);
        Assert.Equal("AlreadyExists", (string?)conflict["reason"]);
    }

    [Fact]
    public async Task An_update_from_a_stale_resourceVersion_is_a_409_Conflict_and_status_changes_only_through_the_subresource()
    {
        await using var api = await KubernetesApiSimulator.StartAsync(new KubernetesApiOptions { PlayPersistentVolumeController = false }).WithTimeout();
        using var client = new RawKubernetesClient(api);
        var (_, pv) = await client.SendAsync(HttpMethod.Post, Volumes, Volume("pv-1", "10Gi")).WithTimeout();
        var stale = (JsonObject)pv.DeepClone();

        pv["metadata"]!["labels"] = new JsonObject { ["tier"] = "gold" };
        pv["status"] = new JsonObject { ["phase"] = "Failed" };
        var (ok, updated) = await client.SendAsync(HttpMethod.Put, Volumes + "/pv-1", pv).WithTimeout();
        Assert.Equal(200, ok);
        Assert.Equal("gold", (string?)updated["metadata"]!["labels"]!["tier"]);
        Assert.Equal("Pending", (string?)updated["status"]!["phase"]);
        Assert.NotEqual((string?)stale["metadata"]!["resourceVersion"], (string?)updated["metadata"]!["resourceVersion"]);

        stale["metadata"]!["labels"] = new JsonObject { ["tier"] = "bronze" };
        var (conflict, body) = await client.SendAsync(HttpMethod.Put, Volumes + "/pv-1", stale).WithTimeout();
        Assert.Equal(409, conflict);
        Assert.Equal("Conflict", (string?)body["reason"]);
        Assert.Contains("the object has been modified", (string?)body["message"], StringComparison.Ordinal);

        updated["status"] = new JsonObject { ["phase"] = "Available" };
        updated["metadata"]!["labels"] = new JsonObject { ["tier"] = "ignored" };
        var (_, statusWritten) = await client.SendAsync(HttpMethod.Put, Volumes + "/pv-1/status", updated).WithTimeout();
        Assert.Equal("Available", (string?)statusWritten["status"]!["phase"]);
        Assert.Equal("gold", (string?)statusWritten["metadata"]!["labels"]!["tier"]);
    }

    [Fact]
    public async Task A_list_pages_a_consistent_snapshot_and_a_continuation_older_than_the_history_is_410_Expired()
    {
        await using var api = await KubernetesApiSimulator.StartAsync(new KubernetesApiOptions()).WithTimeout();
        using var client = new RawKubernetesClient(api);
        foreach (var name in new[] { "a", "b", "c" })
        {
            await client.SendAsync(HttpMethod.Post, Volumes, Volume(name, "1Gi")).WithTimeout();
        }

        var (_, first) = await client.SendAsync(HttpMethod.Get, Volumes + "?limit=2").WithTimeout();
        Assert.Equal("PersistentVolumeList", (string?)first["kind"]);
        Assert.Equal(["a", "b"], ((JsonArray)first["items"]!).Select(i => (string?)i!["metadata"]!["name"]));
        var token = (string)first["metadata"]!["continue"]!;
        await client.SendAsync(HttpMethod.Post, Volumes, Volume("d", "1Gi")).WithTimeout();

        var (_, second) = await client.SendAsync(HttpMethod.Get, Volumes + "?limit=2&continue=" + Uri.EscapeDataString(token)).WithTimeout();
        Assert.Equal(["c"], ((JsonArray)second["items"]!).Select(i => (string?)i!["metadata"]!["name"]));
        Assert.Equal((string?)first["metadata"]!["resourceVersion"], (string?)second["metadata"]!["resourceVersion"]);

        var (_, again) = await client.SendAsync(HttpMethod.Get, Volumes + "?limit=1").WithTimeout();
        api.CompactHistory();
        var (gone, expired) = await client.SendAsync(HttpMethod.Get, Volumes + "?limit=1&continue=" + Uri.EscapeDataString((string)again["metadata"]!["continue"]!)).WithTimeout();
        Assert.Equal(410, gone);
        Assert.Equal("Expired", (string?)expired["reason"]);
    }

    [Fact]
    public async Task A_field_the_server_does_not_index_is_refused()
    {
        await using var api = await KubernetesApiSimulator.StartAsync(new KubernetesApiOptions()).WithTimeout();
        using var client = new RawKubernetesClient(api);

        var (status, body) = await client.SendAsync(HttpMethod.Get, Volumes + "?fieldSelector=spec.storageClassName%3Dfast").WithTimeout();

        Assert.Equal(400, status);
        Assert.Contains("field label not supported: spec.storageClassName", (string?)body["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_watch_from_a_list_version_sees_later_changes_in_order_gets_bookmarks_and_from_a_compacted_version_an_Expired_error()
    {
        await using var api = await KubernetesApiSimulator.StartAsync(new KubernetesApiOptions { PlayPersistentVolumeController = false }).WithTimeout();
        using var client = new RawKubernetesClient(api);
        await client.SendAsync(HttpMethod.Post, Volumes, Volume("before", "1Gi")).WithTimeout();
        var (_, list) = await client.SendAsync(HttpMethod.Get, Volumes).WithTimeout();
        var version = (string)list["metadata"]!["resourceVersion"]!;

        using (var watch = await client.WatchAsync($"{Volumes}?watch=true&allowWatchBookmarks=true&resourceVersion={version}").WithTimeout())
        {
            Assert.Equal(200, watch.Status);
            await client.SendAsync(HttpMethod.Post, Volumes, Volume("after", "1Gi")).WithTimeout();
            await client.SendAsync(HttpMethod.Delete, Volumes + "/before").WithTimeout();

            var added = await watch.NextAsync().WithTimeout();
            Assert.Equal("ADDED", (string?)added!["type"]);
            Assert.Equal("after", (string?)added["object"]!["metadata"]!["name"]);
            var marked = await watch.NextAsync().WithTimeout();
            Assert.Equal("MODIFIED", (string?)marked!["type"]);
            Assert.NotNull(marked["object"]!["metadata"]!["deletionTimestamp"]);

            api.SendBookmarks();
            JsonObject? bookmark;
            do
            {
                bookmark = await watch.NextAsync().WithTimeout();
            }
            while (bookmark is not null && (string?)bookmark["type"] != "BOOKMARK");

            Assert.NotNull(bookmark);
            Assert.Equal(["resourceVersion"], ((JsonObject)bookmark["object"]!["metadata"]!).Select(p => p.Key));
        }

        api.CompactHistory();
        using var expired = await client.WatchAsync($"{Volumes}?watch=true&resourceVersion={version}").WithTimeout();
        Assert.Equal(200, expired.Status);
        var error = await expired.NextAsync().WithTimeout();
        Assert.Equal("ERROR", (string?)error!["type"]);
        Assert.Equal(410, (int?)error["object"]!["code"]);
        Assert.Equal("Expired", (string?)error["object"]!["reason"]);
        Assert.Null(await expired.NextAsync().WithTimeout());
    }

    [Fact]
    public async Task The_PV_controller_asks_the_provisioner_binds_a_prebound_PV_and_releases_it_when_the_claim_goes()
    {
        await using var api = await KubernetesApiSimulator.StartAsync(new KubernetesApiOptions()).WithTimeout();
        using var client = new RawKubernetesClient(api);
        await client.SendAsync(HttpMethod.Post, Classes, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "fast" }, ["provisioner"] = "example.com/volume-driver" }).WithTimeout();
        var (_, claim) = await client.SendAsync(HttpMethod.Post, Claims, Claim("data", "fast")).WithTimeout();

        var asked = api.Get(KubernetesResource.PersistentVolumeClaims, "apps", "data")!;
        Assert.Equal("example.com/volume-driver", (string?)asked["metadata"]!["annotations"]!["volume.kubernetes.io/storage-provisioner"]);
        Assert.Equal("example.com/volume-driver", (string?)asked["metadata"]!["annotations"]!["volume.beta.kubernetes.io/storage-provisioner"]);
        var (_, events) = await client.SendAsync(HttpMethod.Get, "/api/v1/namespaces/apps/events?fieldSelector=involvedObject.name%3Ddata").WithTimeout();
        Assert.Contains(((JsonArray)events["items"]!), e => (string?)e!["reason"] == "ExternalProvisioning");

        var pv = Volume("pvc-" + (string)claim["metadata"]!["uid"]!, "5Gi");
        pv["spec"]!["storageClassName"] = "fast";
        pv["spec"]!["persistentVolumeReclaimPolicy"] = "Delete";
        pv["spec"]!["claimRef"] = new JsonObject { ["namespace"] = "apps", ["name"] = "data", ["uid"] = (string)claim["metadata"]!["uid"]! };
        var (created, _) = await client.SendAsync(HttpMethod.Post, Volumes, pv).WithTimeout();
        Assert.Equal(201, created);

        var bound = api.Get(KubernetesResource.PersistentVolumeClaims, "apps", "data")!;
        Assert.Equal("Bound", (string?)bound["status"]!["phase"]);
        Assert.Equal((string?)pv["metadata"]!["name"], (string?)bound["spec"]!["volumeName"]);
        Assert.Equal("5Gi", (string?)bound["status"]!["capacity"]!["storage"]);
        Assert.Equal("Bound", (string?)api.Get(KubernetesResource.PersistentVolumes, null, (string)pv["metadata"]!["name"]!)!["status"]!["phase"]);

        await client.SendAsync(HttpMethod.Delete, Claims + "/data").WithTimeout();
        Assert.Null(api.Get(KubernetesResource.PersistentVolumeClaims, "apps", "data"));
        var released = api.Get(KubernetesResource.PersistentVolumes, null, (string)pv["metadata"]!["name"]!)!;
        Assert.Equal("Released", (string?)released["status"]!["phase"]);

        await client.SendAsync(HttpMethod.Delete, Volumes + "/" + (string)pv["metadata"]!["name"]!).WithTimeout();
        Assert.Null(api.Get(KubernetesResource.PersistentVolumes, null, (string)pv["metadata"]!["name"]!));
    }

    [Fact]
    public async Task A_class_that_waits_for_the_first_consumer_is_not_provisioned_until_a_node_is_selected()
    {
        await using var api = await KubernetesApiSimulator.StartAsync(new KubernetesApiOptions()).WithTimeout();
        using var client = new RawKubernetesClient(api);
        await client.SendAsync(HttpMethod.Post, Classes, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "zonal" }, ["provisioner"] = "example.com/volume-driver", ["volumeBindingMode"] = "WaitForFirstConsumer" }).WithTimeout();
        await client.SendAsync(HttpMethod.Post, Claims, Claim("data", "zonal")).WithTimeout();
        Assert.Null(api.Get(KubernetesResource.PersistentVolumeClaims, "apps", "data")!["metadata"]!["annotations"]);

        var (patched, body) = await client.SendAsync(HttpMethod.Patch, Claims + "/data", new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { ["volume.kubernetes.io/selected-node"] = "node-1" } } }, "application/merge-patch+json").WithTimeout();

        Assert.Equal(200, patched);
        var annotations = api.Get(KubernetesResource.PersistentVolumeClaims, "apps", "data")!["metadata"]!["annotations"]!;
        Assert.Equal("node-1", (string?)annotations["volume.kubernetes.io/selected-node"]);
        Assert.Equal("example.com/volume-driver", (string?)annotations["volume.kubernetes.io/storage-provisioner"]);
        Assert.Equal("Pending", (string?)body["status"]!["phase"]);
    }

    private static JsonObject Claim(string name, string storageClass, JsonObject? status = null)
    {
        var claim = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "PersistentVolumeClaim",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject
            {
                ["accessModes"] = new JsonArray("ReadWriteOnce"),
                ["storageClassName"] = storageClass,
                ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["storage"] = "5Gi" } },
            },
        };
        if (status is not null)
        {
            claim["status"] = status;
        }

        return claim;
    }

    private static JsonObject Volume(string name, string size) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "PersistentVolume",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject
        {
            ["capacity"] = new JsonObject { ["storage"] = size },
            ["accessModes"] = new JsonArray("ReadWriteOnce"),
            ["flexVolume"] = new JsonObject { ["driver"] = "example.com/volume-driver", ["fsType"] = "ext4" },
        },
    };
}
