using System.Text.Json.Nodes;
using Simulators.Kubernetes;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Provisioning.EndToEnd;

/// <summary>
/// The Kubernetes API double as a cluster for the provisioner: it plays the PV controller, enforces
/// the RBAC that examples/deploy/provisioner.yaml grants (so a verb the manifest lacks fails the
/// test with the API server's 403), accepts one token per replica (its requests are logged under
/// the replica's name), and has one Ready node. It writes a kubeconfig per replica (token and the
/// double's CA) and starts provisioner processes of the published binary.
/// </summary>
internal sealed class ProvisioningTestBed : IAsyncDisposable
{
    public const string LeaseNamespace = "volume-driver";
    public const string ServiceAccount = "volume-driver-provisioner";
    public const string ClaimNamespace = "apps";

    private readonly List<ProvisionerProcess> _processes = [];

    private ProvisioningTestBed(string directory, KubernetesApiSimulator api)
    {
        Directory = directory;
        Api = api;
    }

    public string Directory { get; }

    public KubernetesApiSimulator Api { get; }

    /// <param name="replicas">The replicas' names; each gets a token of its own.</param>
    public static async Task<ProvisioningTestBed> StartAsync(IReadOnlyList<string> replicas, string node = "test-node", string? region = null, string? zone = null)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("vd-provisioning-").FullName;
        var api = await KubernetesApiSimulator.StartAsync(new KubernetesApiOptions
        {
            StateDirectory = Path.Join(directory, "api"),
            Authorization = DeployManifests.AuthorizationOf(DeployManifests.ProvisionerFile, LeaseNamespace, ServiceAccount),
            AdditionalTokens = replicas.ToDictionary(TokenOf, r => r),
        }).WithTimeout();
        api.AddNode(node, region, zone);
        return new ProvisioningTestBed(directory, api);
    }

    /// <summary>Starts a replica: its kubeconfig carries its own token.</summary>
    public ProvisionerProcess StartProvisioner(string replica, string driver, IReadOnlyDictionary<string, string> environment, int healthPort = 0)
    {
        var kubeconfig = Path.Join(Directory, replica + ".kubeconfig");
        File.WriteAllText(kubeconfig, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: double
              cluster:
                server: {Api.BaseUri.ToString().TrimEnd('/')}
                certificate-authority: {Api.CaPemPath}
            users:
            - name: {replica}
              user:
                token: {TokenOf(replica)}
            contexts:
            - name: double
              context:
                cluster: double
                user: {replica}
            current-context: double
            """);
        var process = ProvisionerProcess.Start(replica, driver, kubeconfig, environment, healthPort);
        lock (_processes)
        {
            _processes.Add(process);
        }

        return process;
    }

    public JsonObject CreateStorageClass(string name, string provisioner, IReadOnlyDictionary<string, string> parameters, string reclaimPolicy = "Delete", string bindingMode = "Immediate", IReadOnlyList<string>? mountOptions = null)
    {
        var body = new JsonObject
        {
            ["apiVersion"] = "storage.k8s.io/v1",
            ["kind"] = "StorageClass",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["provisioner"] = provisioner,
            ["parameters"] = new JsonObject(parameters.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value)))),
            ["reclaimPolicy"] = reclaimPolicy,
            ["volumeBindingMode"] = bindingMode,
        };
        if (mountOptions is not null)
        {
            body["mountOptions"] = new JsonArray([.. mountOptions.Select(o => (JsonNode?)JsonValue.Create(o))]);
        }

        return Api.Create(KubernetesResource.StorageClasses, null, body);
    }

    public JsonObject CreateClaim(string name, string storageClass, string size, string accessMode = "ReadWriteOnce") =>
        Api.Create(KubernetesResource.PersistentVolumeClaims, ClaimNamespace, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "PersistentVolumeClaim",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject
            {
                ["accessModes"] = new JsonArray(accessMode),
                ["storageClassName"] = storageClass,
                ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["storage"] = size } },
            },
        });

    /// <summary>Waits until the claim is Bound, and returns its PV.</summary>
    public async Task<JsonObject> WaitForBoundVolumeAsync(string claim, TimeSpan? limit = null)
    {
        var bound = await WaitForAsync(
            $"claim {ClaimNamespace}/{claim} Bound",
            a => a.Get(KubernetesResource.PersistentVolumeClaims, ClaimNamespace, claim) is { } c && (string?)c["status"]?["phase"] == "Bound" ? c : null,
            limit ?? TimeSpan.FromMinutes(2)).WithTimeout();
        return Api.Get(KubernetesResource.PersistentVolumes, null, (string)bound["spec"]!["volumeName"]!)!;
    }

    public Task WaitForVolumeGoneAsync(string volume, TimeSpan? limit = null) =>
        WaitForAsync($"PV {volume} deleted", a => a.Get(KubernetesResource.PersistentVolumes, null, volume) is null ? volume : null, limit ?? TimeSpan.FromMinutes(2));

    /// <summary>
    /// <see cref="KubernetesApiSimulator.WaitForAsync"/>, failing at once (with the provisioners'
    /// output) when a provisioner the test did not end exits, instead of waiting out the limit.
    /// </summary>
    public async Task<T> WaitForAsync<T>(string what, Func<KubernetesApiSimulator, T?> probe, TimeSpan limit)
        where T : class
    {
        ProvisionerProcess[] running;
        lock (_processes)
        {
            running = [.. _processes.Where(p => !p.EndedByTest)];
        }

        var waiting = Api.WaitForAsync(what, probe, limit);
        var exits = running.Select(async p =>
        {
            await p.Exited.WithTimeout();
            return p;
        }).ToList();
        while (exits.Count > 0)
        {
            var first = await Task.WhenAny([waiting, .. exits]).WithTimeout();
            if (first == waiting)
            {
                break;
            }

            var exited = await ((Task<ProvisionerProcess>)first).WithTimeout();
            if (!exited.EndedByTest)
            {
                throw new InvalidOperationException($"{exited.Describe()}\nexited while the test waited for {what}\n\n{Diagnose()}");
            }

            exits.Remove((Task<ProvisionerProcess>)first);
        }

        try
        {
            return await waiting.WithTimeout();
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + "\n\n" + Diagnose(), e);
        }
    }

    /// <summary>The events on a claim, as kubectl describe lists them: reason and message.</summary>
    public IReadOnlyList<(string Reason, string Message)> EventsOf(string claim) =>
        [.. Api.List(KubernetesResource.Events)
            .Where(e => (string?)e["involvedObject"]?["name"] == claim && (string?)e["involvedObject"]?["kind"] == "PersistentVolumeClaim")
            .Select(e => ((string?)e["reason"] ?? "", (string?)e["message"] ?? ""))];

    /// <summary>The writes a replica made to anything but its Lease.</summary>
    public IReadOnlyList<RequestRecord> WritesBy(string replica) =>
        [.. Api.RequestLog.Where(r => r.Credential == replica && r.IsWrite && !r.Path.Contains("/leases", StringComparison.Ordinal))];

    /// <summary>The identity the Lease names now (the lease named after the driver, in the lease namespace), or null.</summary>
    public string? LeaseHolder() =>
        Api.List(KubernetesResource.Leases).Where(l => (string?)l["metadata"]?["namespace"] == LeaseNamespace).Select(l => (string?)l["spec"]?["holderIdentity"]).SingleOrDefault(h => !string.IsNullOrEmpty(h));

    public string Diagnose() =>
        string.Join("\n\n", _processes.Select(p => p.Describe())) + "\n\nKubernetes requests:\n" + string.Join('\n', Api.RequestLog.TakeLast(20));

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync().WithTimeout();
        }

        await Api.DisposeAsync().WithTimeout();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private static string TokenOf(string replica) => "token-of-" + replica;
}
