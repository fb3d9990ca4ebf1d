using System.Net;
using System.Text.Json.Nodes;

namespace Simulators.Kubernetes;

public sealed partial class KubernetesApiSimulator
{
    /// <summary>
    /// Adds a Ready Linux node as the kubelet and the cloud controller register it: the well-known
    /// labels (https://kubernetes.io/docs/reference/labels-annotations-taints/: kubernetes.io/hostname,
    /// kubernetes.io/os, kubernetes.io/arch, topology.kubernetes.io/region and .../zone, with their
    /// deprecated failure-domain.beta.kubernetes.io twins that cloud-provider-azure still sets), and a
    /// status with addresses, conditions and capacity. Azure writes the zone as "REGION-N" for a zonal
    /// VM and as the fault domain ("0", "1") for one outside zones
    /// (https://kubernetes-sigs.github.io/cloud-provider-azure/topics/availability-zones/).
    /// A null <paramref name="zone"/> leaves the topology labels out (a node without a cloud provider).
    /// </summary>
    public JsonObject AddNode(string name, string? region = null, string? zone = null, string instanceType = "Standard_D2s_v5")
    {
        var labels = new JsonObject
        {
            ["beta.kubernetes.io/arch"] = "amd64",
            ["beta.kubernetes.io/os"] = "linux",
            ["kubernetes.io/arch"] = "amd64",
            ["kubernetes.io/hostname"] = name,
            ["kubernetes.io/os"] = "linux",
            ["node.kubernetes.io/instance-type"] = instanceType,
        };
        if (region is not null)
        {
            labels["topology.kubernetes.io/region"] = region;
            labels["failure-domain.beta.kubernetes.io/region"] = region;
        }

        if (zone is not null)
        {
            labels["topology.kubernetes.io/zone"] = zone;
            labels["failure-domain.beta.kubernetes.io/zone"] = zone;
        }

        lock (_lock)
        {
            var (status, created) = CreateLocked(KubernetesResource.Nodes, "", new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = labels },
                ["spec"] = new JsonObject { ["podCIDR"] = "10.244.0.0/24", ["podCIDRs"] = new JsonArray("10.244.0.0/24") },
            });
            if (status != HttpStatusCode.Created)
            {
                throw new InvalidOperationException(created.ToJsonString());
            }

            var now = Timestamp();
            var node = Clone(created);
            node["status"] = new JsonObject
            {
                ["capacity"] = new JsonObject { ["cpu"] = "2", ["memory"] = "8129508Ki", ["pods"] = "110", ["ephemeral-storage"] = "129886128Ki" },
                ["allocatable"] = new JsonObject { ["cpu"] = "1900m", ["memory"] = "5474276Ki", ["pods"] = "110", ["ephemeral-storage"] = "119703055367" },
                ["conditions"] = new JsonArray(
                    Condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", now),
                    Condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", now),
                    Condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", now),
                    Condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", now)),
                ["addresses"] = new JsonArray(
                    new JsonObject { ["type"] = "InternalIP", ["address"] = "10.224.0.4" },
                    new JsonObject { ["type"] = "Hostname", ["address"] = name }),
                ["nodeInfo"] = new JsonObject
                {
                    ["architecture"] = "amd64",
                    ["operatingSystem"] = "linux",
                    ["osImage"] = "Ubuntu 24.04.3 LTS",
                    ["kernelVersion"] = "6.8.0-1041-azure",
                    ["containerRuntimeVersion"] = "containerd://2.1.4",
                    ["kubeletVersion"] = "v1.35.0",
                    ["kubeProxyVersion"] = "",
                    ["machineID"] = Guid.NewGuid().ToString("N"),
                    ["systemUUID"] = Guid.NewGuid().ToString(),
                    ["bootID"] = Guid.NewGuid().ToString(),
                },
            };
            Store(new ObjectKey(KubernetesResource.Nodes, "", name), node, "MODIFIED");
            return Clone(node);
        }
    }

    private static JsonObject Condition(string type, string status, string reason, string message, string now) => new()
    {
        ["type"] = type,
        ["status"] = status,
        ["lastHeartbeatTime"] = now,
        ["lastTransitionTime"] = now,
        ["reason"] = reason,
        ["message"] = message,
    };
}
