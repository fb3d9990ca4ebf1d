using System.Collections.Frozen;
using VolumeDriver.Kubernetes.Models;

namespace VolumeDriver.Provisioning;

/// <summary>What the provisioner reads of the API's objects, taken once at the edge into its own records.</summary>
internal static class ProvisioningViews
{
    public static ProvisioningClaim Claim(PersistentVolumeClaim claim) => new(
        claim.Metadata?.Namespace ?? "",
        claim.Metadata?.Name ?? "",
        claim.Metadata?.Uid ?? "",
        claim.Metadata?.ResourceVersion,
        claim.Spec?.StorageClassName,
        claim.Spec?.VolumeName,
        claim.Spec?.AccessModes ?? [],
        claim.Spec?.VolumeMode,
        claim.Spec?.Resources?.Requests?.GetValueOrDefault("storage"),
        claim.Metadata?.Annotations ?? FrozenDictionary<string, string>.Empty,
        Deleting: claim.Metadata?.DeletionTimestamp is not null);

    public static ProvisioningClass Class(StorageClass storageClass) => new(
        storageClass.Metadata?.Name ?? "",
        storageClass.Provisioner ?? "",
        storageClass.Parameters ?? FrozenDictionary<string, string>.Empty,
        storageClass.ReclaimPolicy,
        storageClass.MountOptions ?? [],
        storageClass.VolumeBindingMode);

    /// <summary>A reference to the claim, as client-go's ref.GetReference writes it into claimRef and events.</summary>
    public static ObjectReference Reference(ProvisioningClaim claim) => new()
    {
        Kind = "PersistentVolumeClaim",
        Namespace = claim.Namespace,
        Name = claim.Name,
        Uid = claim.Uid,
        ApiVersion = "v1",
        ResourceVersion = claim.ResourceVersion,
    };

    public static ObjectReference Reference(PersistentVolume volume) => new()
    {
        Kind = "PersistentVolume",
        Name = volume.Metadata?.Name,
        Uid = volume.Metadata?.Uid,
        ApiVersion = "v1",
        ResourceVersion = volume.Metadata?.ResourceVersion,
    };
}
