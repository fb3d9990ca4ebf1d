namespace VolumeDriver.Provisioning;

/// <summary>What the provisioner reads of a PersistentVolumeClaim.</summary>
/// <param name="StorageClassName">spec.storageClassName, or null.</param>
/// <param name="VolumeName">spec.volumeName: set once a PV is bound (or pre-bound) to the claim.</param>
/// <param name="VolumeMode">spec.volumeMode (Filesystem when unset).</param>
/// <param name="RequestedStorage">spec.resources.requests.storage, as written.</param>
/// <param name="Deleting">metadata.deletionTimestamp is set.</param>
internal sealed record ProvisioningClaim(
    string Namespace,
    string Name,
    string Uid,
    string? ResourceVersion,
    string? StorageClassName,
    string? VolumeName,
    IReadOnlyList<string> AccessModes,
    string? VolumeMode,
    string? RequestedStorage,
    IReadOnlyDictionary<string, string> Annotations,
    bool Deleting)
{
    /// <summary>The PV a provisioner makes for this claim: one name per claim, ever, so a retry finds it.</summary>
    public string VolumeNameToProvision => "pvc-" + Uid;

    /// <summary>"namespace/name", as events and logs name a claim.</summary>
    public string Describe() => Namespace + "/" + Name;
}
