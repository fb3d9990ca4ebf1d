using System.Text.Json.Nodes;

namespace Simulators.Kubernetes;

/// <summary>
/// What kube-controller-manager does to PVs and PVCs, played by the double after every change
/// (pkg/controller/volume/persistentvolume and pvcprotection/pvprotection; sources in
/// docs/research/kubernetes-provisioning.md §3.6):
/// - a new PV becomes Available;
/// - a Pending PVC binds to a PV pre-bound to it (claimRef with its name, and its uid if set), or to an
///   Available PV of its class that is big enough and has its access modes; both become Bound, with
///   the bind-completed and bound-by-controller annotations as the controller sets them;
/// - a Pending PVC with no match whose class names a provisioner gets the storage-provisioner
///   annotations (and an ExternalProvisioning event), unless the class waits for the first consumer
///   and no node is selected yet (then a WaitForFirstConsumer event);
/// - a Bound PV whose claim is gone becomes Released; a Bound PVC whose PV is gone becomes Lost;
/// - the protection finalizers go once deletion is asked and the object is not in use (no pods
///   here, so a PVC's at once; a PV's once it is not Bound).
/// Runs under the simulator's lock.
/// </summary>
internal sealed class PersistentVolumeController(KubernetesApiSimulator api)
{
    private const string BindCompleted = "pv.kubernetes.io/bind-completed";
    private const string BoundByController = "pv.kubernetes.io/bound-by-controller";
    private const string StorageProvisioner = "volume.kubernetes.io/storage-provisioner";
    private const string BetaStorageProvisioner = "volume.beta.kubernetes.io/storage-provisioner";
    private const string SelectedNode = "volume.kubernetes.io/selected-node";

    private bool _running;

    public void Reconcile()
    {
        if (!api.Options.PlayPersistentVolumeController || _running)
        {
            return;
        }

        _running = true;
        try
        {
            // Each step changes at most one object; repeat until nothing changes.
            for (var guard = 0; guard < 10_000 && Step(); guard++)
            {
            }
        }
        finally
        {
            _running = false;
        }
    }

    private bool Step() =>
        ReleaseFinalizers() || MakeAvailable() || BindClaims() || Release() || Lose();

    private bool MakeAvailable()
    {
        foreach (var (key, pv) in api.Objects(KubernetesResource.PersistentVolumes))
        {
            if (Phase(pv) == "Pending" && pv["metadata"]?["deletionTimestamp"] is null)
            {
                Save(key, pv, p => p["status"] = new JsonObject { ["phase"] = "Available" });
                return true;
            }
        }

        return false;
    }

    private bool BindClaims()
    {
        foreach (var (claimKey, claim) in api.Objects(KubernetesResource.PersistentVolumeClaims))
        {
            if (Phase(claim) != "Pending" || claim["metadata"]?["deletionTimestamp"] is not null)
            {
                continue;
            }

            var uid = (string)claim["metadata"]!["uid"]!;
            var volumeName = (string?)claim["spec"]?["volumeName"];
            var pvs = api.Objects(KubernetesResource.PersistentVolumes).ToList();
            var preBound = pvs.FirstOrDefault(pv =>
                (volumeName is { Length: > 0 } ? (string?)pv.Value["metadata"]!["name"] == volumeName : true)
                && (string?)pv.Value["spec"]?["claimRef"]?["namespace"] == claimKey.Namespace
                && (string?)pv.Value["spec"]?["claimRef"]?["name"] == claimKey.Name
                && ((string?)pv.Value["spec"]?["claimRef"]?["uid"] is null or "" || (string?)pv.Value["spec"]?["claimRef"]?["uid"] == uid)
                && Phase(pv.Value) is "Available" or "Pending");
            if (preBound.Value is not null)
            {
                Bind(preBound.Key, preBound.Value, claimKey, claim, byController: false);
                return true;
            }

            var match = pvs.FirstOrDefault(pv => Phase(pv.Value) == "Available" && pv.Value["spec"]?["claimRef"] is null && Fits(pv.Value, claim));
            if (match.Value is not null && string.IsNullOrEmpty(volumeName))
            {
                Bind(match.Key, match.Value, claimKey, claim, byController: true);
                return true;
            }

            if (AskProvisioner(claimKey, claim))
            {
                return true;
            }
        }

        return false;
    }

    private bool AskProvisioner(KubernetesApiSimulator.ObjectKey claimKey, JsonObject claim)
    {
        var annotations = claim["metadata"]?["annotations"] as JsonObject;
        if (annotations?[StorageProvisioner] is not null || claim["spec"]?["volumeName"] is JsonValue)
        {
            return false;
        }

        var className = (string?)claim["spec"]?["storageClassName"];
        if (string.IsNullOrEmpty(className) || api.Find(KubernetesResource.StorageClasses, "", className) is not { } storageClass)
        {
            return false;
        }

        var provisioner = (string?)storageClass["provisioner"];
        if (provisioner is null or "kubernetes.io/no-provisioner")
        {
            return false;
        }

        if ((string?)storageClass["volumeBindingMode"] == "WaitForFirstConsumer" && annotations?[SelectedNode] is null)
        {
            return false;
        }

        Save(claimKey, claim, c =>
        {
            var set = KubernetesApiSimulator.Child((JsonObject)c["metadata"]!, "annotations");
            set[StorageProvisioner] = provisioner;
            set[BetaStorageProvisioner] = provisioner;
        });
        RecordEvent(claimKey, claim, "Normal", "ExternalProvisioning", $"Waiting for a volume to be created either by the external provisioner '{provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.");
        return true;
    }

    private void Bind(KubernetesApiSimulator.ObjectKey pvKey, JsonObject pv, KubernetesApiSimulator.ObjectKey claimKey, JsonObject claim, bool byController)
    {
        Save(pvKey, pv, p =>
        {
            var spec = (JsonObject)p["spec"]!;
            spec["claimRef"] = new JsonObject
            {
                ["kind"] = "PersistentVolumeClaim",
                ["namespace"] = claimKey.Namespace,
                ["name"] = claimKey.Name,
                ["uid"] = (string)claim["metadata"]!["uid"]!,
                ["apiVersion"] = "v1",
                ["resourceVersion"] = (string)claim["metadata"]!["resourceVersion"]!,
            };
            if (byController)
            {
                Annotate(p, BoundByController, "yes");
            }

            p["status"] = new JsonObject { ["phase"] = "Bound" };
        });
        var boundPv = api.Find(KubernetesResource.PersistentVolumes, "", pvKey.Name)!;
        Save(claimKey, claim, c =>
        {
            ((JsonObject)c["spec"]!)["volumeName"] = pvKey.Name;
            Annotate(c, BindCompleted, "yes");
            if (byController)
            {
                Annotate(c, BoundByController, "yes");
            }
        });
        var boundClaim = api.Find(KubernetesResource.PersistentVolumeClaims, claimKey.Namespace, claimKey.Name)!;
        Save(claimKey, boundClaim, c => c["status"] = new JsonObject
        {
            ["phase"] = "Bound",
            ["accessModes"] = boundPv["spec"]?["accessModes"]?.DeepClone(),
            ["capacity"] = boundPv["spec"]?["capacity"]?.DeepClone(),
        });
    }

    private bool Release()
    {
        foreach (var (key, pv) in api.Objects(KubernetesResource.PersistentVolumes))
        {
            if (Phase(pv) != "Bound" || pv["spec"]?["claimRef"] is not JsonObject claimRef)
            {
                continue;
            }

            var claim = api.Find(KubernetesResource.PersistentVolumeClaims, (string?)claimRef["namespace"] ?? "", (string?)claimRef["name"] ?? "");
            if (claim is null || (string?)claim["metadata"]!["uid"] != (string?)claimRef["uid"])
            {
                Save(key, pv, p => p["status"] = new JsonObject { ["phase"] = "Released" });
                return true;
            }
        }

        return false;
    }

    private bool Lose()
    {
        foreach (var (key, claim) in api.Objects(KubernetesResource.PersistentVolumeClaims))
        {
            if (Phase(claim) == "Bound" && (string?)claim["spec"]?["volumeName"] is { } name && api.Find(KubernetesResource.PersistentVolumes, "", name) is null)
            {
                Save(key, claim, c => c["status"] = new JsonObject { ["phase"] = "Lost" });
                RecordEvent(key, claim, "Warning", "ClaimLost", "Bound claim has lost its PersistentVolume. Data on the volume is lost!");
                return true;
            }
        }

        return false;
    }

    private bool ReleaseFinalizers()
    {
        foreach (var resource in new[] { KubernetesResource.PersistentVolumeClaims, KubernetesResource.PersistentVolumes })
        {
            foreach (var (key, value) in api.Objects(resource))
            {
                var metadata = (JsonObject)value["metadata"]!;
                if (metadata["deletionTimestamp"] is null || metadata["finalizers"] is not JsonArray finalizers)
                {
                    continue;
                }

                var protection = resource == KubernetesResource.PersistentVolumes ? "kubernetes.io/pv-protection" : "kubernetes.io/pvc-protection";
                var inUse = resource == KubernetesResource.PersistentVolumes && Phase(value) == "Bound";
                if (inUse || !finalizers.Any(f => (string?)f == protection))
                {
                    continue;
                }

                var remaining = new JsonArray([.. finalizers.Where(f => (string?)f != protection).Select(f => f!.DeepClone())]);
                if (remaining.Count == 0)
                {
                    api.Remove(key);
                }
                else
                {
                    Save(key, value, v => ((JsonObject)v["metadata"]!)["finalizers"] = remaining);
                }

                return true;
            }
        }

        return false;
    }

    private void RecordEvent(KubernetesApiSimulator.ObjectKey key, JsonObject involved, string type, string reason, string message)
    {
        var now = api.Timestamp();
        var name = $"{key.Name}.{Guid.NewGuid():N}"[..(key.Name.Length + 17)];
        var eventKey = new KubernetesApiSimulator.ObjectKey(KubernetesResource.Events, key.Namespace, name);
        api.Store(eventKey, new JsonObject
        {
            ["kind"] = "Event",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = key.Namespace, ["uid"] = Guid.NewGuid().ToString(), ["creationTimestamp"] = now },
            ["involvedObject"] = new JsonObject
            {
                ["kind"] = key.Resource.Kind,
                ["namespace"] = key.Namespace,
                ["name"] = key.Name,
                ["uid"] = (string?)involved["metadata"]?["uid"],
                ["apiVersion"] = key.Resource.ApiVersion,
                ["resourceVersion"] = (string?)involved["metadata"]?["resourceVersion"],
            },
            ["reason"] = reason,
            ["message"] = message,
            ["source"] = new JsonObject { ["component"] = "persistentvolume-controller" },
            ["firstTimestamp"] = now,
            ["lastTimestamp"] = now,
            ["count"] = 1,
            ["type"] = type,
            ["reportingComponent"] = "persistentvolume-controller",
            ["reportingInstance"] = "",
        }, "ADDED");
    }

    private static bool Fits(JsonObject pv, JsonObject claim)
    {
        if ((string?)pv["spec"]?["storageClassName"] != (string?)claim["spec"]?["storageClassName"])
        {
            return false;
        }

        var modes = (pv["spec"]?["accessModes"] as JsonArray ?? []).Select(m => (string?)m).ToHashSet();
        if ((claim["spec"]?["accessModes"] as JsonArray ?? []).Any(m => !modes.Contains((string?)m)))
        {
            return false;
        }

        return Quantity.Bytes((string?)pv["spec"]?["capacity"]?["storage"]) >= Quantity.Bytes((string?)claim["spec"]?["resources"]?["requests"]?["storage"]);
    }

    private static string? Phase(JsonObject value) => (string?)value["status"]?["phase"];

    private static void Annotate(JsonObject value, string key, string text)
    {
        KubernetesApiSimulator.Child((JsonObject)value["metadata"]!, "annotations")[key] = text;
    }

    private void Save(KubernetesApiSimulator.ObjectKey key, JsonObject current, Action<JsonObject> change)
    {
        var updated = KubernetesApiSimulator.Clone(current);
        change(updated);
        api.Store(key, updated, "MODIFIED");
    }
}
