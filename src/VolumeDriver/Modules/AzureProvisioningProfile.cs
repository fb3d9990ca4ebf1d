using System.Text;
using VolumeDriver.Backends;
using VolumeDriver.Backends.Azure;
using VolumeDriver.Backends.Azure.Blob;
using VolumeDriver.Domain;
using VolumeDriver.Errors;

namespace VolumeDriver.Modules;

/// <summary>
/// Azure: disks are whole GiB (<c>diskSizeGB</c>; a blob VHD is whole GiB plus its footer), the
/// values are checked by the parser the verbs use (<see cref="AzureDiskOptions.From"/>, or
/// <see cref="BlobDiskOptions.From"/> for the blob kinds), and a managed LRS disk is placed in an
/// availability zone.
/// <para>
/// Zones follow the azuredisk CSI driver (kubernetes-sigs/azuredisk-csi-driver,
/// pkg/azureutils/azure_disk_utils.go <c>PickAvailabilityZone</c> and <c>IsValidAvailabilityZone</c>,
/// used by CreateVolume in pkg/azuredisk/controllerserver.go): a zonal node's label
/// <c>topology.kubernetes.io/zone</c> reads <c>&lt;region&gt;-&lt;zone&gt;</c> (eastus2-1), a node outside
/// the zones carries a fault-domain number there (0, 1, 2), which is no zone. With WaitForFirstConsumer
/// the disk goes to the zone of the node the scheduler picked (ARM's <c>zones: ["1"]</c>), and the PV
/// gets a node affinity on that label and value, so pods using it are only scheduled where it can
/// attach. Without a node, a class that lists zones gets one of them, picked by a stable hash of
/// the volume name as the in-tree azure_dd plugin did (volumehelpers.SelectZoneForVolume hashed the
/// claim). ZRS SKUs span the region's zones and attach anywhere: no zone, no affinity (the CSI
/// driver's topology README says the same). Without zones at all the disk is regional.
/// </para>
/// </summary>
internal sealed class AzureProvisioningProfile : IProvisioningProfile
{
    /// <summary>The zone label before Kubernetes 1.17; older nodes carry only this one.</summary>
    public const string LegacyZoneLabel = "failure-domain.beta.kubernetes.io/zone";

    private readonly Func<string> _clusterLocation;

    /// <param name="clusterLocation">The cluster's region (azure.json's location), read only when a zone label must be written without a node.</param>
    public AzureProvisioningProfile(Func<string> clusterLocation)
    {
        _clusterLocation = clusterLocation;
    }

    public ByteSize AllocationUnit { get; } = ByteSize.FromGiB(1);

    public string? RefusalOf(string key) => key switch
    {
        AzureDiskOptions.DiskNameOption or AzureDiskOptions.DiskUriOption =>
            $"{key} names one existing disk, which every claim of the class would share; a provisioned disk is named after its PV (pvc-<claim uid>). Remove it from the StorageClass, or write a PV by hand for an existing disk",
        AzureDiskOptions.ResourceGroupOption =>
            $"{key}: provisioned disks are created in the cluster's resource group (azure.json's resourceGroup), where deleting the PV finds them again; remove it from the StorageClass",
        _ => null,
    };

    public DiskPlacement Place(DiskRequest request, SelectedNode? selectedNode)
    {
        if (BlobDiskOptions.IsBlobKind(request))
        {
            BlobDiskOptions.From(request);
            return request.Options.ContainsKey(AzureDiskOptions.ZonesOption)
                ? throw new InvalidOptionException(AzureDiskOptions.ZonesOption, $"{AzureDiskOptions.ZonesOption} applies to managed disks; blob VHDs (kind {request.Options[AzureDiskOptions.KindOption]}) have no availability zone")
                : new DiskPlacement(request.Options, NodeAffinity: null);
        }

        var options = AzureDiskOptions.From(request);
        var zoneRedundant = options.Sku.ToString().EndsWith("_ZRS", StringComparison.OrdinalIgnoreCase);
        if (zoneRedundant)
        {
            return options.Zones.Count > 0
                ? throw new InvalidOptionException(AzureDiskOptions.ZonesOption, $"skuname {options.Sku} is zone-redundant: the disk spans the region's zones and attaches in any of them; remove {AzureDiskOptions.ZonesOption} or pick an LRS SKU")
                : new DiskPlacement(request.Options, NodeAffinity: null);
        }

        if (NodeZone(selectedNode) is { } nodeZone)
        {
            if (options.Zones.Count > 0 && !options.Zones.Contains(nodeZone.Zone, StringComparer.Ordinal))
            {
                throw new InvalidOptionException(
                    AzureDiskOptions.ZonesOption,
                    $"the scheduler picked node {selectedNode!.Name} in zone {nodeZone.Label}, and the StorageClass allows zones {string.Join(", ", options.Zones)} only; add the zone, or restrict the class's allowedTopologies to the same zones");
            }

            return Zonal(request, nodeZone.Zone, nodeZone.Label);
        }

        if (options.Zones.Count == 0)
        {
            return new DiskPlacement(request.Options, NodeAffinity: null);
        }

        var zone = options.Zones[(int)(StableHash(request.Name.Value) % (uint)options.Zones.Count)];
        var region = options.Location ?? _clusterLocation();
        return Zonal(request, zone, $"{region.ToLowerInvariant()}-{zone}");
    }

    /// <summary>The zone of a zonal node (eastus2-1 gives 1), or null for no node or a node outside the zones.</summary>
    private static (string Zone, string Label)? NodeZone(SelectedNode? node)
    {
        if (node is null)
        {
            return null;
        }

        var label = node.Labels.GetValueOrDefault(NodeAffinityTerm.ZoneLabel) ?? node.Labels.GetValueOrDefault(LegacyZoneLabel);
        var dash = label?.LastIndexOf('-') ?? -1;
        if (label is null || dash <= 0 || dash == label.Length - 1)
        {
            return null;
        }

        var zone = label[(dash + 1)..];
        return zone is "1" or "2" or "3" ? (zone, label) : null;
    }

    private static DiskPlacement Zonal(DiskRequest request, string zone, string label)
    {
        var options = new Dictionary<string, string>(request.Options, StringComparer.Ordinal)
        {
            [AzureDiskOptions.ZonesOption] = zone,
        };
        return new DiskPlacement(options, new NodeAffinityTerm(NodeAffinityTerm.ZoneLabel, [label]));
    }

    /// <summary>FNV-1a: the same on every replica and every run, unlike string.GetHashCode.</summary>
    private static uint StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = unchecked((hash ^ b) * 16777619u);
        }

        return hash;
    }
}
