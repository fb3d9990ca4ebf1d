using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Simulators.Kubernetes;
using VolumeDriver.CloudCalls;
using VolumeDriver.Kubernetes;
using VolumeDriver.Kubernetes.Models;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Kubernetes;

/// <summary>The client against the Kubernetes API double: CRUD per kind, the expected refusals, paging and retries.</summary>
public sealed class KubernetesApiClientTests
{
    private const string Ns = "apps";

    [Fact]
    public async Task PersistentVolume_CreateGetReplaceStatusDelete_RoundTripsEveryModelledField()
    {
        await using var bed = await KubernetesTestBed.StartAsync(new KubernetesApiOptions { PlayPersistentVolumeController = false }).WithTimeout();
        var client = bed.Client();

        var created = await client.CreateAsync(KubernetesResources.PersistentVolumes, Volume("pv-1"), CancellationToken.None).WithTimeout();

        Assert.Equal("PersistentVolume", created.Kind);
        Assert.Equal("v1", created.ApiVersion);
        Assert.True(Guid.TryParse(created.Metadata!.Uid, out _));
        Assert.NotNull(created.Metadata.ResourceVersion);
        Assert.NotNull(created.Metadata.CreationTimestamp);
        Assert.Equal(["kubernetes.io/pv-protection"], created.Metadata.Finalizers!);
        Assert.Equal("Pending", created.Status!.Phase);
        var spec = created.Spec!;
        Assert.Equal("10Gi", spec.Capacity!["storage"]);
        Assert.Equal(["ReadWriteOnce"], spec.AccessModes!);
        Assert.Equal("Delete", spec.PersistentVolumeReclaimPolicy);
        Assert.Equal("fast", spec.StorageClassName);
        Assert.Equal(["noatime"], spec.MountOptions!);
        Assert.Equal("Filesystem", spec.VolumeMode);
        Assert.Equal("vendor/driver", spec.FlexVolume!.Driver);
        Assert.Equal("ext4", spec.FlexVolume.FsType);
        Assert.Equal("secrets", spec.FlexVolume.SecretRef!.Namespace);
        Assert.Equal("12", spec.FlexVolume.Options!["size"]);
        Assert.Equal("data", spec.ClaimRef!.Name);
        var requirement = spec.NodeAffinity!.Required!.NodeSelectorTerms![0].MatchExpressions![0];
        Assert.Equal(("topology.kubernetes.io/zone", "In", "westeurope-1"), (requirement.Key, requirement.Operator, requirement.Values![0]));

        var got = await client.GetAsync(KubernetesResources.PersistentVolumes, null, "pv-1", CancellationToken.None).WithTimeout();
        Assert.Equal(created.Metadata.ResourceVersion, got!.Metadata!.ResourceVersion);

        var withStatus = await client.ReplaceStatusAsync(KubernetesResources.PersistentVolumes, got with { Status = new PersistentVolumeStatus { Phase = "Available" } }, CancellationToken.None).WithTimeout();
        Assert.Equal("Available", withStatus.Status!.Phase);

        Assert.True(await client.DeleteAsync(KubernetesResources.PersistentVolumes, null, "pv-1", null, CancellationToken.None).WithTimeout());
        var deleting = await client.GetAsync(KubernetesResources.PersistentVolumes, null, "pv-1", CancellationToken.None).WithTimeout();
        Assert.NotNull(deleting!.Metadata!.DeletionTimestamp);
    }

    [Fact]
    public async Task Get_OfAMissingObject_IsNull_AndDelete_IsFalse()
    {
        await using var bed = await KubernetesTestBed.StartAsync().WithTimeout();
        var client = bed.Client();

        Assert.Null(await client.GetAsync(KubernetesResources.PersistentVolumeClaims, Ns, "none", CancellationToken.None).WithTimeout());
        Assert.False(await client.DeleteAsync(KubernetesResources.StorageClasses, null, "none", null, CancellationToken.None).WithTimeout());
    }

    [Fact]
    public async Task Create_OfAnExistingName_IsAlreadyExists()
    {
        await using var bed = await KubernetesTestBed.StartAsync().WithTimeout();
        var client = bed.Client();
        await client.CreateAsync(KubernetesResources.StorageClasses, Class("fast"), CancellationToken.None).WithTimeout();

        var e = await Assert.ThrowsAsync<CloudRequestException>(() => client.CreateAsync(KubernetesResources.StorageClasses, Class("fast"), CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.True(e.IsAlreadyExists());
        Assert.False(e.IsConflict());
        Assert.Equal(CloudService.Kubernetes, e.Service);
        Assert.Equal(409, e.Status);
        Assert.Equal("POST /apis/storage.k8s.io/v1/storageclasses", e.Operation);
        Assert.Contains("already exists", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, bed.Api.Requests.Count(r => r == "POST /apis/storage.k8s.io/v1/storageclasses"));
    }

    [Fact]
    public async Task Replace_FromAStaleResourceVersion_IsConflict_AndIsNotRetried()
    {
        await using var bed = await KubernetesTestBed.StartAsync().WithTimeout();
        var client = bed.Client();
        var claim = await client.CreateAsync(KubernetesResources.PersistentVolumeClaims, Claim("data"), CancellationToken.None).WithTimeout();
        var updated = await client.ReplaceAsync(KubernetesResources.PersistentVolumeClaims, claim with { Metadata = claim.Metadata! with { Labels = new Dictionary<string, string> { ["tier"] = "gold" } } }, CancellationToken.None).WithTimeout();
        Assert.Equal("gold", updated.Metadata!.Labels!["tier"]);
        Assert.NotEqual(claim.Metadata!.ResourceVersion, updated.Metadata.ResourceVersion);
        var puts = bed.Api.Requests.Count(r => r.StartsWith("PUT", StringComparison.Ordinal));

        var e = await Assert.ThrowsAsync<CloudRequestException>(() => client.ReplaceAsync(KubernetesResources.PersistentVolumeClaims, claim with { Metadata = claim.Metadata with { Labels = new Dictionary<string, string> { ["tier"] = "bronze" } } }, CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.True(e.IsConflict());
        Assert.Equal("Conflict", e.ErrorCode);
        Assert.True(Guid.TryParse(e.RequestId, out _), $"the refusal carries the server's Audit-Id as its request id, not '{e.RequestId}'");
        Assert.Equal(puts + 1, bed.Api.Requests.Count(r => r.StartsWith("PUT", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Replace_KeepsTheFieldsNoModelNames()
    {
        await using var bed = await KubernetesTestBed.StartAsync().WithTimeout();
        var client = bed.Client();
        var raw = JsonNode.Parse("""
            {"metadata":{"name":"data","namespace":"apps","labels":{"a":"1"}},
             "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}},"storageClassName":"fast",
                     "dataSourceRef":{"apiGroup":"snapshot.storage.k8s.io","kind":"VolumeSnapshot","name":"snap-1"},
                     "volumeAttributesClassName":"gold"}}
            """)!.AsObject();
        bed.Api.Create(KubernetesResource.PersistentVolumeClaims, Ns, raw);

        var claim = await client.GetAsync(KubernetesResources.PersistentVolumeClaims, Ns, "data", CancellationToken.None).WithTimeout();
        Assert.True(claim!.Spec!.ExtensionData!.ContainsKey("dataSourceRef"));
        await client.ReplaceAsync(KubernetesResources.PersistentVolumeClaims, claim with { Metadata = claim.Metadata! with { Labels = new Dictionary<string, string> { ["a"] = "2" } } }, CancellationToken.None).WithTimeout();

        var stored = bed.Api.Get(KubernetesResource.PersistentVolumeClaims, Ns, "data")!;
        Assert.Equal("2", (string?)stored["metadata"]!["labels"]!["a"]);
        Assert.Equal("snap-1", (string?)stored["spec"]!["dataSourceRef"]!["name"]);
        Assert.Equal("gold", (string?)stored["spec"]!["volumeAttributesClassName"]);
    }

    [Fact]
    public async Task Patch_MergesIntoTheObject_AndNullRemovesAField()
    {
        await using var bed = await KubernetesTestBed.StartAsync().WithTimeout();
        var client = bed.Client();
        await client.CreateAsync(KubernetesResources.PersistentVolumeClaims, Claim("data") with { Metadata = new ObjectMeta { Name = "data", Namespace = Ns, Annotations = new Dictionary<string, string> { ["keep"] = "1", ["drop"] = "2" } } }, CancellationToken.None).WithTimeout();

        var patch = new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { ["drop"] = null, ["added"] = "3" } } };
        var patched = await client.PatchAsync(KubernetesResources.PersistentVolumeClaims, Ns, "data", patch, CancellationToken.None).WithTimeout();

        Assert.Equal(new Dictionary<string, string> { ["keep"] = "1", ["added"] = "3" }, patched.Metadata!.Annotations!.ToDictionary());
        Assert.Contains("PATCH /api/v1/namespaces/apps/persistentvolumeclaims/data", bed.Api.Requests);
    }

    [Fact]
    public async Task EveryKind_CreatesAndReadsBack()
    {
        await using var bed = await KubernetesTestBed.StartAsync().WithTimeout();
        var client = bed.Client();
        var now = new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero).AddTicks(1234560);

        var storageClass = await client.CreateAsync(KubernetesResources.StorageClasses, Class("fast"), CancellationToken.None).WithTimeout();
        Assert.Equal(("vendor/driver", "WaitForFirstConsumer", true), (storageClass.Provisioner, storageClass.VolumeBindingMode, storageClass.AllowVolumeExpansion));
        Assert.Equal("Premium_LRS", storageClass.Parameters!["skuname"]);
        Assert.Equal("westeurope-1", storageClass.AllowedTopologies![0].MatchLabelExpressions![0].Values![0]);

        var node = await client.CreateAsync(KubernetesResources.Nodes, new KubernetesNode { Metadata = new ObjectMeta { Name = "node-1", Labels = new Dictionary<string, string> { ["topology.kubernetes.io/zone"] = "westeurope-2" } }, Spec = new NodeSpec { ProviderId = "azure:///x" } }, CancellationToken.None).WithTimeout();
        Assert.Equal("westeurope-2", node.Metadata!.Labels!["topology.kubernetes.io/zone"]);
        Assert.Equal("azure:///x", (await client.GetAsync(KubernetesResources.Nodes, null, "node-1", CancellationToken.None).WithTimeout())!.Spec!.ProviderId);

        var claim = await client.CreateAsync(KubernetesResources.PersistentVolumeClaims, Claim("data"), CancellationToken.None).WithTimeout();
        Assert.Equal("1Gi", claim.Spec!.Resources!.Requests!["storage"]);
        Assert.Equal("Pending", claim.Status!.Phase);

        var created = await client.CreateAsync(KubernetesResources.Events, new Event
        {
            Metadata = new ObjectMeta { GenerateName = "data.", Namespace = Ns },
            InvolvedObject = new ObjectReference { Kind = "PersistentVolumeClaim", Namespace = Ns, Name = "data", Uid = claim.Metadata!.Uid, ApiVersion = "v1" },
            Reason = "ProvisioningSucceeded",
            Message = "Successfully provisioned volume pvc-1",
            Type = "Normal",
            Source = new EventSource { Component = "vendor/driver" },
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
            ReportingComponent = "vendor/driver",
            ReportingInstance = "replica-1",
        }, CancellationToken.None).WithTimeout();
        Assert.StartsWith("data.", created.Metadata!.Name, StringComparison.Ordinal);
        var stored = bed.Api.Get(KubernetesResource.Events, Ns, created.Metadata.Name!)!;
        Assert.Equal("2026-12-07T10:00:00Z", (string?)stored["firstTimestamp"]);
        var events = await client.ListAsync(KubernetesResources.Events, Ns, new KubernetesListOptions { FieldSelector = $"involvedObject.uid={claim.Metadata.Uid}" }, CancellationToken.None).WithTimeout();
        Assert.Equal("ProvisioningSucceeded", Assert.Single(events.Items!).Reason);

        var lease = await client.CreateAsync(KubernetesResources.Leases, new Lease
        {
            Metadata = new ObjectMeta { Name = "vendor-driver", Namespace = "kube-system" },
            Spec = new LeaseSpec { HolderIdentity = "replica-1", LeaseDurationSeconds = 15, AcquireTime = now, RenewTime = now, LeaseTransitions = 0 },
        }, CancellationToken.None).WithTimeout();
        Assert.Equal(now, lease.Spec!.RenewTime);
        Assert.Equal("2026-12-07T10:00:00.123456Z", (string?)bed.Api.Get(KubernetesResource.Leases, "kube-system", "vendor-driver")!["spec"]!["renewTime"]);
    }

    [Fact]
    public async Task List_ReadsEveryPageOfOneSnapshot()
    {
        await using var bed = await KubernetesTestBed.StartAsync().WithTimeout();
        var client = bed.Client(KubernetesTestBed.NoWaitOptions with { ListPageSize = 2 });
        foreach (var name in new[] { "a", "b", "c", "d", "e" })
        {
            await client.CreateAsync(KubernetesResources.StorageClasses, Class(name), CancellationToken.None).WithTimeout();
        }

        var first = await client.ListPageAsync(KubernetesResources.StorageClasses, null, new KubernetesListOptions { Limit = 2 }, CancellationToken.None).WithTimeout();
        Assert.Equal(["a", "b"], first.Items!.Select(i => i.Metadata!.Name));
        Assert.NotNull(first.Metadata!.Continue);
        Assert.Equal(3, first.Metadata.RemainingItemCount);

        var all = await client.ListAsync(KubernetesResources.StorageClasses, null, null, CancellationToken.None).WithTimeout();
        Assert.Equal(["a", "b", "c", "d", "e"], all.Items!.Select(i => i.Metadata!.Name));
        Assert.Null(all.Metadata!.Continue);
        Assert.NotNull(all.Metadata.ResourceVersion);
        Assert.Equal(3, bed.Api.Requests.Count(r => r.StartsWith("GET /apis/storage.k8s.io/v1/storageclasses?limit=2", StringComparison.Ordinal)) - 1);
    }

    [Fact]
    public async Task List_WithAnExpiredContinueToken_IsGone()
    {
        await using var bed = await KubernetesTestBed.StartAsync().WithTimeout();
        var client = bed.Client();
        foreach (var name in new[] { "a", "b", "c" })
        {
            await client.CreateAsync(KubernetesResources.StorageClasses, Class(name), CancellationToken.None).WithTimeout();
        }

        var first = await client.ListPageAsync(KubernetesResources.StorageClasses, null, new KubernetesListOptions { Limit = 1 }, CancellationToken.None).WithTimeout();
        bed.Api.CompactHistory();

        var e = await Assert.ThrowsAsync<CloudRequestException>(() => client.ListPageAsync(KubernetesResources.StorageClasses, null, new KubernetesListOptions { Limit = 1, Continue = first.Metadata!.Continue }, CancellationToken.None).WithTimeout()).WithTimeout();
        Assert.True(e.IsGone());
        Assert.Equal("Expired", e.ErrorCode);
    }

    [Fact]
    public async Task TooManyRequests_IsRetried_AndAServerErrorOnACreateIsNot()
    {
        await using var bed = await KubernetesTestBed.StartAsync().WithTimeout();
        var client = bed.Client();

        bed.Api.FailNext("GET", "storageclasses", HttpStatusCode.TooManyRequests);
        Assert.Null(await client.GetAsync(KubernetesResources.StorageClasses, null, "fast", CancellationToken.None).WithTimeout());
        Assert.Equal(2, bed.Api.Requests.Count(r => r == "GET /apis/storage.k8s.io/v1/storageclasses/fast"));

        bed.Api.FailNext("GET", "storageclasses", HttpStatusCode.InternalServerError);
        Assert.Null(await client.GetAsync(KubernetesResources.StorageClasses, null, "fast", CancellationToken.None).WithTimeout());
        Assert.Equal(4, bed.Api.Requests.Count(r => r == "GET /apis/storage.k8s.io/v1/storageclasses/fast"));

        bed.Api.FailNext("POST", "storageclasses", HttpStatusCode.InternalServerError);
        var e = await Assert.ThrowsAsync<CloudRequestException>(() => client.CreateAsync(KubernetesResources.StorageClasses, Class("fast"), CancellationToken.None).WithTimeout()).WithTimeout();
        Assert.Equal(500, e.Status);
        Assert.Single(bed.Api.Requests, r => r.StartsWith("POST", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TooManyRequests_WaitsTheRetryAfterOnTheInjectedClock()
    {
        var clock = new WatchedClock();
        await using var bed = await KubernetesTestBed.StartAsync(timeProvider: clock).WithTimeout();
        var client = bed.Client(new KubernetesApiClientOptions { MaxRetryDelay = TimeSpan.FromSeconds(30) });
        bed.Api.FailNext("GET", "storageclasses", HttpStatusCode.TooManyRequests);

        var get = client.GetAsync(KubernetesResources.StorageClasses, null, "fast", CancellationToken.None);
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(1)).WithTimeout();

        // The double's 429 says Retry-After: 1. Nothing is sent again before the clock has moved 1 s.
        clock.Advance(TimeSpan.FromMilliseconds(900));
        Assert.False(get.IsCompleted);
        Assert.Single(bed.Api.Requests);
        clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Null(await get.WithTimeout());
        Assert.Equal(2, bed.Api.Requests.Count);
    }

    [Fact]
    public async Task AWrongToken_IsA401_ThatNamesWhereTheCredentialsCameFrom()
    {
        await using var bed = await KubernetesTestBed.StartAsync(new KubernetesApiOptions { Token = "the-right-one" }).WithTimeout();
        File.WriteAllText(bed.KubeconfigPath, KubernetesTestBed.Kubeconfig(bed.Api.BaseUri, Convert.ToBase64String(File.ReadAllBytes(bed.Api.CaPemPath)), "a-wrong-one"));
        var client = bed.Client();

        var e = await Assert.ThrowsAsync<CloudRequestException>(() => client.GetAsync(KubernetesResources.Nodes, null, "n", CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Equal(401, e.Status);
        Assert.Contains($"kubeconfig '{bed.KubeconfigPath}', context 'test'", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("a-wrong-one", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_SendsItsPreconditions()
    {
        await using var bed = await KubernetesTestBed.StartAsync().WithTimeout();
        var client = bed.Client();
        var storageClass = await client.CreateAsync(KubernetesResources.StorageClasses, Class("fast"), CancellationToken.None).WithTimeout();

        Assert.True(await client.DeleteAsync(KubernetesResources.StorageClasses, null, "fast", new Preconditions { Uid = storageClass.Metadata!.Uid }, CancellationToken.None).WithTimeout());

        Assert.Null(bed.Api.Get(KubernetesResource.StorageClasses, null, "fast"));
    }

    [Fact]
    public void Models_WriteNoNulls_AndMicroTimeWithSixDigits()
    {
        var lease = new Lease { Metadata = new ObjectMeta { Name = "x" }, Spec = new LeaseSpec { RenewTime = new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.FromHours(1)) } };

        var json = JsonSerializer.Serialize(lease, KubernetesJsonContext.Default.Lease);

        Assert.Equal("""{"metadata":{"name":"x"},"spec":{"renewTime":"2026-12-07T09:00:00.000000Z"}}""", json);
    }

    internal static PersistentVolume Volume(string name) => new()
    {
        Metadata = new ObjectMeta { Name = name, Annotations = new Dictionary<string, string> { ["pv.kubernetes.io/provisioned-by"] = "vendor/driver" } },
        Spec = new PersistentVolumeSpec
        {
            Capacity = new Dictionary<string, string> { ["storage"] = "10Gi" },
            AccessModes = ["ReadWriteOnce"],
            PersistentVolumeReclaimPolicy = "Delete",
            StorageClassName = "fast",
            MountOptions = ["noatime"],
            ClaimRef = new ObjectReference { Kind = "PersistentVolumeClaim", Namespace = Ns, Name = "data", Uid = "00000000-0000-0000-0000-000000000001", ApiVersion = "v1" },
            NodeAffinity = new VolumeNodeAffinity
            {
                Required = new NodeSelector { NodeSelectorTerms = [new NodeSelectorTerm { MatchExpressions = [new NodeSelectorRequirement { Key = "topology.kubernetes.io/zone", Operator = "In", Values = ["westeurope-1"] }] }] },
            },
            FlexVolume = new FlexPersistentVolumeSource
            {
                Driver = "vendor/driver",
                FsType = "ext4",
                SecretRef = new SecretReference { Name = "cloud", Namespace = "secrets" },
                Options = new Dictionary<string, string> { ["size"] = "12" },
            },
        },
    };

    internal static PersistentVolumeClaim Claim(string name) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = Ns },
        Spec = new PersistentVolumeClaimSpec
        {
            AccessModes = ["ReadWriteOnce"],
            Resources = new VolumeResourceRequirements { Requests = new Dictionary<string, string> { ["storage"] = "1Gi" } },
            StorageClassName = "fast",
        },
    };

    internal static StorageClass Class(string name) => new()
    {
        Metadata = new ObjectMeta { Name = name },
        Provisioner = "vendor/driver",
        Parameters = new Dictionary<string, string> { ["skuname"] = "Premium_LRS" },
        ReclaimPolicy = "Delete",
        VolumeBindingMode = "WaitForFirstConsumer",
        AllowVolumeExpansion = true,
        MountOptions = ["noatime"],
        AllowedTopologies = [new TopologySelectorTerm { MatchLabelExpressions = [new TopologySelectorLabelRequirement { Key = "topology.kubernetes.io/zone", Values = ["westeurope-1"] }] }],
    };
}
