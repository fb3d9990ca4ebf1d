using VolumeDriver.Domain;
using VolumeDriver.Kubernetes.Models;

namespace VolumeDriver.Provisioning;

/// <summary>
/// The PV of a <see cref="VolumePlan"/>: a flexVolume source for the driver, pre-bound to its claim
/// through claimRef (uid included), which the PV controller completes into a binding, as for every
/// external provisioner (sig-storage-lib-external-provisioner sets claimRef and provisioned-by the
/// same way).
/// </summary>
internal static class PersistentVolumeFactory
{
    public static PersistentVolume Create(VolumePlan plan, ByteSize capacity) => new()
    {
        ApiVersion = "v1",
        Kind = "PersistentVolume",
        Metadata = new ObjectMeta
        {
            Name = plan.PvName,
            Annotations = new Dictionary<string, string> { [ProvisioningNames.ProvisionedBy] = plan.Driver },
        },
        Spec = new PersistentVolumeSpec
        {
            Capacity = new Dictionary<string, string> { ["storage"] = capacity.ToString() },
            AccessModes = plan.AccessModes,
            ClaimRef = ProvisioningViews.Reference(plan.Claim),
            PersistentVolumeReclaimPolicy = plan.ReclaimPolicy,
            StorageClassName = plan.StorageClassName,
            MountOptions = plan.MountOptions.Count > 0 ? plan.MountOptions : null,
            VolumeMode = "Filesystem",
            NodeAffinity = plan.NodeAffinity is { } term
                ? new VolumeNodeAffinity
                {
                    Required = new NodeSelector
                    {
                        NodeSelectorTerms =
                        [
                            new NodeSelectorTerm { MatchExpressions = [new NodeSelectorRequirement { Key = term.Key, Operator = "In", Values = term.Values }] },
                        ],
                    },
                }
                : null,
            FlexVolume = new FlexPersistentVolumeSource
            {
                Driver = plan.Driver,
                FsType = FsTypes.Name(plan.FsType),
                Options = plan.Options,
            },
        },
    };
}
