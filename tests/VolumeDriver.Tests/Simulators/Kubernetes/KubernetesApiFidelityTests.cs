using System.Text.Json.Nodes;
using Simulators.Kubernetes;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Simulators.Kubernetes;

/// <summary>
/// The Kubernetes API double against the API reference, the API concepts page and the API server's
/// own messages: patch formats, set-based selectors, resourceVersionMatch and streaming lists, RBAC
/// answers, Lease and Event validation, nodes with zones. Driven with raw HTTP, not our client.
/// </summary>
public sealed class KubernetesApiFidelityTests
{
    private const string Claims = "/api/v1/namespaces/apps/persistentvolumeclaims";
    private const string Volumes = "/api/v1/persistentvolumes";
    private const string Leases = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases";
    private const string Events = "/api/v1/namespaces/apps/events";

    [Fact]
    public async Task Json_patch_applies_every_operation_in_order_and_a_failed_test_or_missing_path_is_422_a_malformed_patch_400()
    {
        await using var api = await KubernetesApiSimulator.StartAsync(new KubernetesApiOptions { PlayPersistentVolumeController = false }).WithTimeout();
        using var client = new RawKubernetesClient(api);
        await client.SendAsync(HttpMethod.Post, Volumes, Volume("pv-1", labels: new JsonObject { ["tier"] = "gold", ["old"] = "x" })).WithTimeout();

        var (status, patched) = await client.SendAsyncRaw(HttpMethod.Patch, Volumes + "/pv-1", """
            [
              {"op":"test","path":"/metadata/labels/tier","value":"gold"},
              {"op":"replace","path":"/metadata/labels/tier","value":"silver"},
              {"op":"add","path":"/metadata/labels/a~1b","value":"slash"},
              {"op":"remove","path":"/metadata/labels/old"},
              {"op":"copy","from":"/metadata/labels/tier","path":"/metadata/labels/copied"},
              {"op":"add","path":"/spec/mountOptions","value":["ro"]},
              {"op":"add","path":"/spec/mountOptions/-","value":"noatime"},
              {"op":"move","from":"/metadata/labels/copied","path":"/metadata/labels/moved"}
            ]
            """, "application/json-patch+json").WithTimeout();

        Assert.True(status == 200, patched.ToJsonString());
        Assert.Equal("""{"tier":"silver","a/b":"slash","moved":"silver"}""", patched["metadata"]!["labels"]!.ToJsonString());
        Assert.Equal("""["ro","noatime"]""", patched["spec"]!["mountOptions"]!.ToJsonString());

        var (failedTest, testBody) = await client.SendAsyncRaw(HttpMethod.Patch, Volumes + "/pv-1", """[{"op":"test","path":"/metadata/labels/tier","value":"gold"}]""", "application/json-patch+json").WithTimeout();
        Assert.Equal(422, failedTest);
        Assert.Equal("Status", (string?)testBody["kind"]);

        var (missing, _) = await client.SendAsyncRaw(HttpMethod.Patch, Volumes + "/pv-1", """[{"op":"remove","path":"/metadata/labels/nothing"}]""", "application/json-patch+json").WithTimeout();
        Assert.Equal(422, missing);

        var (malformed, _) = await client.SendAsyncRaw(HttpMethod.Patch, Volumes + "/pv-1", """{"op":"remove"}""", "application/json-patch+json").WithTimeout();
        Assert.Equal(400, malformed);
        Assert.Equal("silver", (string?)api.Get(KubernetesResource.PersistentVolumes, null, "pv-1")!["metadata"]!["labels"]!["tier"]);
    }

    [Fact]
    public async Task A_strategic_merge_patch_merges_finalizers_and_node_conditions_by_key_but_replaces_other_lists()
    {
        await using var api = await KubernetesApiSimulator.StartAsync(new KubernetesApiOptions { PlayPersistentVolumeController = false }).WithTimeout();
        using var client = new RawKubernetesClient(api);
        await client.SendAsync(HttpMethod.Post, Volumes, Volume("pv-1")).WithTimeout();

        var (status, added) = await client.SendAsyncRaw(HttpMethod.Patch, Volumes + "/pv-1", """
            {"metadata":{"finalizers":["example.com/keep"]},"spec":{"accessModes":["ReadOnlyMany"]}}
            """, "application/strategic-merge-patch+json").WithTimeout();

        Assert.True(status == 200, added.ToJsonString());
        Assert.Equal("""["kubernetes.io/pv-protection","example.com/keep"]""", added["metadata"]!["finalizers"]!.ToJsonString());
        Assert.Equal("""["ReadOnlyMany"]""", added["spec"]!["accessModes"]!.ToJsonString());

        var (_, removed) = await client.SendAsyncRaw(HttpMethod.Patch, Volumes + "/pv-1", """
            {"metadata":{"$deleteFromPrimitiveList/finalizers":["example.com/keep"]}}
            """, "application/strategic-merge-patch+json").WithTimeout();
        Assert.Equal("""["kubernetes.io/pv-protection"]""", removed["metadata"]!["finalizers"]!.ToJsonString());

        // The same patch as a JSON merge patch replaces the list: the finalizer admission added is gone.
        var (_, replaced) = await client.SendAsyncRaw(HttpMethod.Patch, Volumes + "/pv-1", """{"metadata":{"finalizers":["example.com/keep"]}}""", "application/merge-patch+json").WithTimeout();
        Assert.Equal("""["example.com/keep"]""", replaced["metadata"]!["finalizers"]!.ToJsonString());

        api.AddNode("node-1", "westeurope", "westeurope-1");
        var (nodeStatus, node) = await client.SendAsyncRaw(HttpMethod.Patch, "/api/v1/nodes/node-1/status", """
            {"status":{"conditions":[{"type":"Ready","status":"False","reason":"KubeletNotReady"},{"type":"NetworkUnavailable","status":"False"}]}}
            """, "application/strategic-merge-patch+json").WithTimeout();
        Assert.True(nodeStatus == 200, node.ToJsonString());
        var conditions = ((JsonArray)node["status"]!["conditions"]!).Select(c => $"{c!["type"]}={c["status"]}").ToList();
        Assert.Equal(["MemoryPressure=False", "DiskPressure=False", "PIDPressure=False", "Ready=False", "NetworkUnavailable=False"], conditions);
        Assert.Equal("kubelet is posting ready status", (string?)node["status"]!["conditions"]![3]!["message"]);
    }

    [Fact]
    public async Task A_server_side_apply_or_unknown_patch_type_is_415_naming_the_accepted_types()
    {
        await using var api = await KubernetesApiSimulator.StartAsync(new KubernetesApiOptions()).WithTimeout();
        using var client = new RawKubernetesClient(api);
        await client.SendAsync(HttpMethod.Post, Volumes, Volume("pv-1")).WithTimeout();

        var (status, body) = await client.SendAsyncRaw(HttpMethod.Patch, Volumes + "/pv-1", "{}", "application/apply-patch+yaml").WithTimeout();

        Assert.Equal(415, status);
        Assert.Equal("UnsupportedMediaType", (string?)body["reason"]);
        Assert.StartsWith("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json", (string?)body["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Set_based_label_selectors_select_in_notin_exists_and_not_exists()
    {
        await using var api = await KubernetesApiSimulator.StartAsync(new KubernetesApiOptions()).WithTimeout();
        using var client = new RawKubernetesClient(api);
        await client.SendAsync(HttpMethod.Post, Volumes, Volume("gold", labels: new JsonObject { ["tier"] = "gold", ["zone"] = "1" })).WithTimeout();
        await client.SendAsync(HttpMethod.Post, Volumes, Volume("silver", labels: new JsonObject { ["tier"] = "silver" })).WithTimeout();
        await client.SendAsync(HttpMethod.Post, Volumes, Volume("bare")).WithTimeout();

        async Task<IEnumerable<string?>> Select(string selector)
        {
            var (status, list) = await client.SendAsync(HttpMethod.Get, Volumes + "?labelSelector=" + Uri.EscapeDataString(selector)).WithTimeout();
            Assert.True(status == 200, list.ToJsonString());
            return ((JsonArray)list["items"]!).Select(i => (string?)i!["metadata"]!["name"]);
        }

        Assert.Equal(["gold", "silver"], await Select("tier in (gold, silver)").WithTimeout());
        Assert.Equal(["bare", "silver"], await Select("tier notin (gold)").WithTimeout());
        Assert.Equal(["gold"], await Select("zone").WithTimeout());
        Assert.Equal(["bare", "silver"], await Select("!zone").WithTimeout());
        Assert.Equal(["bare", "silver"], await Select("tier!=gold").WithTimeout());
        Assert.Equal(["silver"], await Select("tier in (gold,silver),!zone").WithTimeout());

        var (bad, problem) = await client.SendAsync(HttpMethod.Get, Volumes + "?labelSelector=" + Uri.EscapeDataString("tier in gold")).WithTimeout();
        Assert.Equal(400, bad);
        Assert.Equal("BadRequest", (string?)problem["reason"]);
    }

    [Fact]
    public async Task A_list_at_an_exact_resourceVersion_shows_the_state_then_and_bad_list_options_are_422_ListOptions()
    {
        await using var api = await KubernetesApiSimulator.StartAsync(new KubernetesApiOptions { PlayPersistentVolumeController = false }).WithTimeout();
        using var client = new RawKubernetesClient(api);
        await client.SendAsync(HttpMethod.Post, Volumes, Volume("a", labels: new JsonObject { ["v"] = "1" })).WithTimeout();
        var (_, then) = await client.SendAsync(HttpMethod.Get, Volumes).WithTimeout();
        var version = (string)then["metadata"]!["resourceVersion"]!;
        await client.SendAsyncRaw(HttpMethod.Patch, Volumes + "/a", """{"metadata":{"labels":{"v":"2"}}}""", "application/merge-patch+json").WithTimeout();
        await client.SendAsync(HttpMethod.Post, Volumes, Volume("b")).WithTimeout();

        var (exact, old) = await client.SendAsync(HttpMethod.Get, $"{Volumes}?resourceVersion={version}&resourceVersionMatch=Exact").WithTimeout();
        Assert.True(exact == 200, old.ToJsonString());
        Assert.Equal(version, (string?)old["metadata"]!["resourceVersion"]);
        Assert.Equal(["a"], ((JsonArray)old["items"]!).Select(i => (string?)i!["metadata"]!["name"]));
        Assert.Equal("1", (string?)old["items"]![0]!["metadata"]!["labels"]!["v"]);

        var (_, notOlder) = await client.SendAsync(HttpMethod.Get, $"{Volumes}?resourceVersion={version}&resourceVersionMatch=NotOlderThan").WithTimeout();
        Assert.Equal(2, ((JsonArray)notOlder["items"]!).Count);

        var (invalid, body) = await client.SendAsync(HttpMethod.Get, $"{Volumes}?resourceVersionMatch=Exact").WithTimeout();
        Assert.Equal(422, invalid);
        Assert.Equal("ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided", (string?)body["message"]);

        var (forList, listBody) = await client.SendAsync(HttpMethod.Get, $"{Volumes}?sendInitialEvents=true").WithTimeout();
        Assert.Equal(422, forList);
        Assert.Contains("sendInitialEvents is forbidden for list", (string?)listBody["message"], StringComparison.Ordinal);

        var (tooLarge, large) = await client.SendAsync(HttpMethod.Get, $"{Volumes}?resourceVersion=999999").WithTimeout();
        Assert.Equal(504, tooLarge);
        Assert.Equal("ResourceVersionTooLarge", (string?)large["details"]!["causes"]![0]!["reason"]);

        api.CompactHistory();
        var (gone, expired) = await client.SendAsync(HttpMethod.Get, $"{Volumes}?resourceVersion={version}&resourceVersionMatch=Exact").WithTimeout();
        Assert.Equal(410, gone);
        Assert.Equal("Expired", (string?)expired["reason"]);
    }

    [Fact]
    public async Task A_streaming_list_sends_the_state_then_a_bookmark_marking_its_end_and_needs_NotOlderThan_and_the_feature_gate()
    {
        await using var api = await KubernetesApiSimulator.StartAsync(new KubernetesApiOptions { PlayPersistentVolumeController = false }).WithTimeout();
        using var client = new RawKubernetesClient(api);
        await client.SendAsync(HttpMethod.Post, Volumes, Volume("a")).WithTimeout();
        await client.SendAsync(HttpMethod.Post, Volumes, Volume("b")).WithTimeout();

        using (var stream = await client.WatchAsync($"{Volumes}?watch=1&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan").WithTimeout())
        {
            Assert.Equal(200, stream.Status);
            Assert.Equal("a", (string?)(await stream.NextAsync().WithTimeout())!["object"]!["metadata"]!["name"]);
            Assert.Equal("b", (string?)(await stream.NextAsync().WithTimeout())!["object"]!["metadata"]!["name"]);
            var end = await stream.NextAsync().WithTimeout();
            Assert.Equal("BOOKMARK", (string?)end!["type"]);
            Assert.Equal("true", (string?)end["object"]!["metadata"]!["annotations"]!["k8s.io/initial-events-end"]);
            await client.SendAsync(HttpMethod.Post, Volumes, Volume("c")).WithTimeout();
            var next = await stream.NextAsync().WithTimeout();
            Assert.Equal("ADDED", (string?)next!["type"]);
            Assert.Equal("c", (string?)next["object"]!["metadata"]!["name"]);
        }

        var (noMatch, body) = await client.SendAsync(HttpMethod.Get, $"{Volumes}?watch=1&sendInitialEvents=true").WithTimeout();
        Assert.Equal(422, noMatch);
        Assert.Contains("sendInitialEvents requires setting resourceVersionMatch to NotOlderThan", (string?)body["message"], StringComparison.Ordinal);

        await using var withoutGate = await KubernetesApiSimulator.StartAsync(new KubernetesApiOptions { WatchList = false }).WithTimeout();
        using var old = new RawKubernetesClient(withoutGate);
        var (gated, gatedBody) = await old.SendAsync(HttpMethod.Get, $"{Volumes}?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan").WithTimeout();
        Assert.Equal(422, gated);
        Assert.Contains("sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled", (string?)gatedBody["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_verb_no_role_allows_is_403_with_the_API_server_text_and_a_namespace_role_only_reaches_its_namespace()
    {
        var user = KubernetesAuthorization.ServiceAccountUser("kube-system", "provisioner");
        var authorization = new KubernetesAuthorization(
            user,
            [new PolicyRule([""], ["persistentvolumes"], ["get", "list", "watch", "create", "delete"]), new PolicyRule([""], ["persistentvolumeclaims"], ["get", "list", "watch"])],
            new Dictionary<string, IReadOnlyList<PolicyRule>> { ["kube-system"] = [new PolicyRule(["coordination.k8s.io"], ["leases"], ["get", "create", "update"])] });
        await using var api = await KubernetesApiSimulator.StartAsync(new KubernetesApiOptions { Authorization = authorization, PlayPersistentVolumeController = false }).WithTimeout();
        using var client = new RawKubernetesClient(api);

        Assert.Equal(201, (await client.SendAsync(HttpMethod.Post, Volumes, Volume("pv-1")).WithTimeout()).Status);
        Assert.Equal(200, (await client.SendAsync(HttpMethod.Get, Volumes).WithTimeout()).Status);
        Assert.Equal(201, (await client.SendAsync(HttpMethod.Post, Leases, Lease("driver", "me", "2026-12-07T10:00:00.000000Z")).WithTimeout()).Status);

        var (updateStatus, forbidden) = await client.SendAsync(HttpMethod.Put, Volumes + "/pv-1", Volume("pv-1")).WithTimeout();
        Assert.Equal(403, updateStatus);
        Assert.Equal("Forbidden", (string?)forbidden["reason"]);
        Assert.Equal($"persistentvolumes \"pv-1\" is forbidden: User \"{user}\" cannot update resource \"persistentvolumes\" in API group \"\" at the cluster scope", (string?)forbidden["message"]);
        Assert.Equal("""{"name":"pv-1","kind":"persistentvolumes"}""", forbidden["details"]!.ToJsonString());

        var (otherNamespace, elsewhere) = await client.SendAsync(HttpMethod.Get, "/apis/coordination.k8s.io/v1/namespaces/default/leases/driver").WithTimeout();
        Assert.Equal(403, otherNamespace);
        Assert.Equal($"leases.coordination.k8s.io \"driver\" is forbidden: User \"{user}\" cannot get resource \"leases\" in API group \"coordination.k8s.io\" in the namespace \"default\"", (string?)elsewhere["message"]);

        var (statusWrite, status) = await client.SendAsync(HttpMethod.Put, Claims + "/data/status", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "data" } }).WithTimeout();
        Assert.Equal(403, statusWrite);
        Assert.Contains("cannot update resource \"persistentvolumeclaims/status\" in API group \"\" in the namespace \"apps\"", (string?)status["message"], StringComparison.Ordinal);

        var (watchStatus, watch) = await client.SendAsync(HttpMethod.Get, Events + "?watch=true").WithTimeout();
        Assert.Equal(403, watchStatus);
        Assert.Equal($"events is forbidden: User \"{user}\" cannot watch resource \"events\" in API group \"\" in the namespace \"apps\"", (string?)watch["message"]);
    }

    [Fact]
    public async Task A_lease_keeps_its_microseconds_refuses_other_time_forms_and_a_stale_renewal_conflicts()
    {
        await using var api = await KubernetesApiSimulator.StartAsync(new KubernetesApiOptions()).WithTimeout();
        using var client = new RawKubernetesClient(api);

        var (created, lease) = await client.SendAsync(HttpMethod.Post, Leases, Lease("driver", "replica-a", "2026-12-07T11:00:00.123456+01:00")).WithTimeout();
        Assert.True(created == 201, lease.ToJsonString());
        Assert.Equal("2026-12-07T10:00:00.123456Z", (string?)lease["spec"]!["renewTime"]);
        Assert.Equal("2026-12-07T10:00:00.123456Z", (string?)lease["spec"]!["acquireTime"]);

        var (seconds, secondsBody) = await client.SendAsync(HttpMethod.Post, Leases, Lease("other", "replica-a", "2026-12-07T10:00:00Z")).WithTimeout();
        Assert.Equal(400, seconds);
        Assert.Contains("2006-01-02T15:04:05.000000Z07:00", (string?)secondsBody["message"], StringComparison.Ordinal);

        var (zero, zeroBody) = await client.SendAsync(HttpMethod.Post, Leases, Lease("zero", "replica-a", "2026-12-07T10:00:00.000000Z", duration: 0)).WithTimeout();
        Assert.Equal(422, zero);
        Assert.Equal("Lease.coordination.k8s.io \"zero\" is invalid: spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0", (string?)zeroBody["message"]);

        var renewed = (JsonObject)lease.DeepClone();
        renewed["spec"]!["renewTime"] = "2026-12-07T10:00:02.000000Z";
        Assert.Equal(200, (await client.SendAsync(HttpMethod.Put, Leases + "/driver", renewed).WithTimeout()).Status);
        var takeover = (JsonObject)lease.DeepClone();
        takeover["spec"]!["holderIdentity"] = "replica-b";
        var (conflict, conflictBody) = await client.SendAsync(HttpMethod.Put, Leases + "/driver", takeover).WithTimeout();
        Assert.Equal(409, conflict);
        Assert.Equal("Operation cannot be fulfilled on leases.coordination.k8s.io \"driver\": the object has been modified; please apply your changes to the latest version and try again", (string?)conflictBody["message"]);
        Assert.Equal("replica-a", (string?)api.Get(KubernetesResource.Leases, "kube-system", "driver")!["spec"]!["holderIdentity"]);

        var (deleted, success) = await client.SendAsync(HttpMethod.Delete, Leases + "/driver").WithTimeout();
        Assert.Equal(200, deleted);
        Assert.Equal("Success", (string?)success["status"]);
        Assert.Equal("leases", (string?)success["details"]!["kind"]);
        Assert.Equal("coordination.k8s.io", (string?)success["details"]!["group"]);
    }

    [Fact]
    public async Task Events_are_found_by_the_involvedObject_fields_kubectl_describe_selects_and_must_live_in_their_objects_namespace()
    {
        await using var api = await KubernetesApiSimulator.StartAsync(new KubernetesApiOptions()).WithTimeout();
        using var client = new RawKubernetesClient(api);
        var (_, claim) = await client.SendAsync(HttpMethod.Post, Claims, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "data" },
            ["spec"] = new JsonObject { ["accessModes"] = new JsonArray("ReadWriteOnce"), ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["storage"] = "1Gi" } } },
        }).WithTimeout();
        var uid = (string)claim["metadata"]!["uid"]!;
        Assert.Equal(201, (await client.SendAsync(HttpMethod.Post, Events, Event("data.1", "apps", "data", uid, "Provisioning")).WithTimeout()).Status);
        Assert.Equal(201, (await client.SendAsync(HttpMethod.Post, Events, Event("other.1", "apps", "other", Guid.NewGuid().ToString(), "Provisioning")).WithTimeout()).Status);

        // kubectl describe: GetFieldSelector(name, namespace, kind, uid) (k8s.io/kubectl/pkg/describe/describe.go).
        var selector = Uri.EscapeDataString($"involvedObject.name=data,involvedObject.namespace=apps,involvedObject.kind=PersistentVolumeClaim,involvedObject.uid={uid}");
        var (_, found) = await client.SendAsync(HttpMethod.Get, $"{Events}?fieldSelector={selector}&limit=500").WithTimeout();
        Assert.Equal(["data.1"], ((JsonArray)found["items"]!).Select(e => (string?)e!["metadata"]!["name"]));

        var (wrong, body) = await client.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/events", Event("data.2", "apps", "data", uid, "Provisioning")).WithTimeout();
        Assert.Equal(422, wrong);
        Assert.Equal("Event \"data.2\" is invalid: involvedObject.namespace: Invalid value: \"apps\": does not match event.namespace", (string?)body["message"]);

        var volumeEvent = Event("pv.1", "", "pvc-1", Guid.NewGuid().ToString(), "VolumeFailedDelete");
        volumeEvent["involvedObject"]!["kind"] = "PersistentVolume";
        Assert.Equal(201, (await client.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/events", volumeEvent).WithTimeout()).Status);
    }

    [Fact]
    public async Task Nodes_carry_zone_labels_as_the_cloud_provider_sets_them_and_the_request_log_names_each_client()
    {
        await using var api = await KubernetesApiSimulator.StartAsync(new KubernetesApiOptions { AdditionalTokens = new Dictionary<string, string> { ["token-b"] = "replica-b" } }).WithTimeout();
        api.AddNode("zonal-1", "westeurope", "westeurope-1");
        api.AddNode("zonal-2", "westeurope", "westeurope-2");
        api.AddNode("unzoned", "westeurope", "0");
        using var client = new RawKubernetesClient(api, userAgent: "replica-a");

        var (_, node) = await client.SendAsync(HttpMethod.Get, "/api/v1/nodes/zonal-2").WithTimeout();
        Assert.Equal("westeurope-2", (string?)node["metadata"]!["labels"]!["topology.kubernetes.io/zone"]);
        Assert.Equal("True", (string?)((JsonArray)node["status"]!["conditions"]!).Single(c => (string?)c!["type"] == "Ready")!["status"]);
        var (_, zonal) = await client.SendAsync(HttpMethod.Get, "/api/v1/nodes?labelSelector=" + Uri.EscapeDataString("topology.kubernetes.io/zone notin (0,1,2)")).WithTimeout();
        Assert.Equal(["zonal-1", "zonal-2"], ((JsonArray)zonal["items"]!).Select(n => (string?)n!["metadata"]!["name"]));

        using var second = new RawKubernetesClient(api, token: "token-b", userAgent: "replica-b");
        await second.SendAsync(HttpMethod.Get, "/api/v1/nodes/unzoned").WithTimeout();
        using var stranger = new RawKubernetesClient(api, token: "unknown", userAgent: "stranger");
        Assert.Equal(401, (await stranger.SendAsync(HttpMethod.Get, "/api/v1/nodes").WithTimeout()).Status);

        var logged = api.RequestLog.Where(r => r.UserAgent == "replica-a").ToList();
        Assert.Equal(2, logged.Count);
        Assert.All(logged, r => Assert.Equal(200, r.Status));
        Assert.All(logged, r => Assert.Equal(KubernetesApiOptions.PrimaryCredential, r.Credential));
        Assert.Equal("/api/v1/nodes/zonal-2", logged[0].Path);
        Assert.Equal("replica-b", api.RequestLog.Single(r => r.UserAgent == "replica-b").Credential);
        var refused = api.RequestLog.Single(r => r.UserAgent == "stranger");
        Assert.Null(refused.Credential);
        Assert.Equal(401, refused.Status);
    }

    [Fact]
    public async Task A_volume_without_capacity_or_source_or_with_a_bad_name_is_422_with_one_cause_per_field_and_generateName_uses_the_servers_alphabet()
    {
        await using var api = await KubernetesApiSimulator.StartAsync(new KubernetesApiOptions()).WithTimeout();
        using var client = new RawKubernetesClient(api);
        var pv = Volume("pv-1");
        ((JsonObject)pv["spec"]!).Remove("capacity");
        ((JsonObject)pv["spec"]!).Remove("flexVolume");
        pv["spec"]!["persistentVolumeReclaimPolicy"] = "Keep";

        var (status, body) = await client.SendAsync(HttpMethod.Post, Volumes, pv).WithTimeout();

        Assert.Equal(422, status);
        Assert.Equal(
            ["spec.capacity", "spec.capacity", "spec.persistentVolumeReclaimPolicy", "spec"],
            ((JsonArray)body["details"]!["causes"]!).Select(c => (string?)c!["field"]));
        Assert.StartsWith("PersistentVolume \"pv-1\" is invalid: [spec.capacity: Required value, ", (string?)body["message"], StringComparison.Ordinal);
        Assert.Contains("spec: Required value: must specify a volume type", (string?)body["message"], StringComparison.Ordinal);
        Assert.Null(api.Get(KubernetesResource.PersistentVolumes, null, "pv-1"));

        var (badName, nameBody) = await client.SendAsync(HttpMethod.Post, Volumes, Volume("PVC_1")).WithTimeout();
        Assert.Equal(422, badName);
        Assert.Equal("metadata.name", (string?)nameBody["details"]!["causes"]![0]!["field"]);

        var generated = Volume("");
        ((JsonObject)generated["metadata"]!).Remove("name");
        generated["metadata"]!["generateName"] = "pv-";
        var (created, made) = await client.SendAsync(HttpMethod.Post, Volumes, generated).WithTimeout();
        Assert.Equal(201, created);
        Assert.Matches("^pv-[bcdfghjklmnpqrstvwxz2456789]{5}$", (string?)made["metadata"]!["name"]);
    }

    [Fact]
    public async Task A_delete_whose_preconditions_do_not_hold_is_409_and_keeps_the_object()
    {
        await using var api = await KubernetesApiSimulator.StartAsync(new KubernetesApiOptions { PlayPersistentVolumeController = false }).WithTimeout();
        using var client = new RawKubernetesClient(api);
        var (_, lease) = await client.SendAsync(HttpMethod.Post, Leases, Lease("driver", "me", "2026-12-07T10:00:00.000000Z")).WithTimeout();
        var uid = (string)lease["metadata"]!["uid"]!;

        var (wrongUid, body) = await client.SendAsync(HttpMethod.Delete, Leases + "/driver", new JsonObject { ["kind"] = "DeleteOptions", ["apiVersion"] = "v1", ["preconditions"] = new JsonObject { ["uid"] = "other" } }).WithTimeout();
        Assert.Equal(409, wrongUid);
        Assert.Equal($"Operation cannot be fulfilled on leases.coordination.k8s.io \"driver\": StorageError: invalid object, Code: 4, Key: /registry/leases/kube-system/driver, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: other, UID in object meta: {uid}", (string?)body["message"]);
        var (staleVersion, _) = await client.SendAsync(HttpMethod.Delete, Leases + "/driver", new JsonObject { ["preconditions"] = new JsonObject { ["resourceVersion"] = "1" } }).WithTimeout();
        Assert.Equal(409, staleVersion);
        Assert.NotNull(api.Get(KubernetesResource.Leases, "kube-system", "driver"));

        var (deleted, _) = await client.SendAsync(HttpMethod.Delete, Leases + "/driver", new JsonObject { ["preconditions"] = new JsonObject { ["uid"] = uid, ["resourceVersion"] = (string)lease["metadata"]!["resourceVersion"]! } }).WithTimeout();
        Assert.Equal(200, deleted);
        Assert.Null(api.Get(KubernetesResource.Leases, "kube-system", "driver"));
    }

    [Fact]
    public async Task A_held_create_whose_client_goes_away_stores_nothing_and_a_released_one_is_stored_and_waited_for()
    {
        await using var api = await KubernetesApiSimulator.StartAsync(new KubernetesApiOptions { PlayPersistentVolumeController = false }).WithTimeout();
        using var client = new RawKubernetesClient(api);

        var held = api.HoldNext("POST", "persistentvolumes");
        using (var abandoning = new RawKubernetesClient(api))
        {
            using var gone = new CancellationTokenSource();
            var sending = abandoning.SendAsync(HttpMethod.Post, Volumes, Volume("pv-lost"), cancellationToken: gone.Token);
            await held.Arrived.WithTimeout();
            await gone.CancelAsync().WithTimeout();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending).WithTimeout();
            await held.Abandoned.WithTimeout();
        }

        Assert.Null(api.Get(KubernetesResource.PersistentVolumes, null, "pv-lost"));

        var second = api.HoldNext("POST", "persistentvolumes");
        var creating = client.SendAsync(HttpMethod.Post, Volumes, Volume("pv-kept"));
        await second.Arrived.WithTimeout();
        var waiting = api.WaitForAsync("pv-kept", a => a.Get(KubernetesResource.PersistentVolumes, null, "pv-kept"), TimeSpan.FromSeconds(30));
        Assert.False(waiting.IsCompleted);
        second.Release();
        Assert.Equal(201, (await creating.WithTimeout()).Status);
        Assert.Equal("pv-kept", (string?)(await waiting.WithTimeout())["metadata"]!["name"]);

        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => api.WaitForAsync("pv-never", a => a.Get(KubernetesResource.PersistentVolumes, null, "pv-never"), TimeSpan.FromMilliseconds(200)).WithTimeout()).WithTimeout();
        Assert.Contains("pv-never", timeout.Message, StringComparison.Ordinal);
    }

    private static JsonObject Volume(string name, JsonObject? labels = null)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (labels is not null)
        {
            metadata["labels"] = labels;
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "PersistentVolume",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject
            {
                ["capacity"] = new JsonObject { ["storage"] = "1Gi" },
                ["accessModes"] = new JsonArray("ReadWriteOnce"),
                ["flexVolume"] = new JsonObject { ["driver"] = "example.com/volume-driver", ["fsType"] = "ext4" },
            },
        };
    }

    private static JsonObject Lease(string name, string holder, string time, int duration = 15) => new()
    {
        ["apiVersion"] = "coordination.k8s.io/v1",
        ["kind"] = "Lease",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject
        {
            ["holderIdentity"] = holder,
            ["leaseDurationSeconds"] = duration,
            ["acquireTime"] = time,
            ["renewTime"] = time,
            ["leaseTransitions"] = 0,
        },
    };

    private static JsonObject Event(string name, string involvedNamespace, string involvedName, string uid, string reason) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Event",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["involvedObject"] = new JsonObject { ["kind"] = "PersistentVolumeClaim", ["namespace"] = involvedNamespace, ["name"] = involvedName, ["uid"] = uid, ["apiVersion"] = "v1" },
        ["reason"] = reason,
        ["message"] = "test",
        ["type"] = "Normal",
        ["source"] = new JsonObject { ["component"] = "example.com/volume-driver" },
        ["firstTimestamp"] = "2026-12-07T10:00:00Z",
        ["lastTimestamp"] = "2026-12-07T10:00:00Z",
        ["count"] = 1,
    };
}
