namespace VolumeDriver.Provisioning;

/// <summary>
/// Which claims and volumes are this provisioner's, by the rules of the external-provisioner library
/// (sig-storage-lib-external-provisioner controller.go <c>shouldProvision</c> and <c>shouldDelete</c>;
/// docs/research/kubernetes-provisioning.md §3.7).
/// </summary>
internal static class ClaimTriage
{
    /// <summary>
    /// A claim is ours when it has no volume yet, is not being deleted, names a class whose provisioner
    /// is <paramref name="driver"/>, and the PV controller's storage-provisioner annotation (or the beta
    /// one) names us too: the PV controller sets it when it hands the claim to an external provisioner,
    /// and the library acts on nothing else. A WaitForFirstConsumer class waits for the selected node.
    /// </summary>
    public static ClaimAction Decide(ProvisioningClaim claim, ProvisioningClass? storageClass, string driver)
    {
        if (!string.IsNullOrEmpty(claim.VolumeName) || claim.Deleting || storageClass is null || storageClass.Provisioner != driver)
        {
            return ClaimAction.Ignore;
        }

        var annotated = claim.Annotations.GetValueOrDefault(ProvisioningNames.StorageProvisioner)
            ?? claim.Annotations.GetValueOrDefault(ProvisioningNames.BetaStorageProvisioner);
        if (annotated != driver)
        {
            return ClaimAction.Ignore;
        }

        return storageClass.WaitsForFirstConsumer && string.IsNullOrEmpty(claim.Annotations.GetValueOrDefault(ProvisioningNames.SelectedNode))
            ? ClaimAction.WaitForNode
            : ClaimAction.Provision;
    }

    /// <summary>
    /// A volume is ours to delete when we provisioned it (provisioned-by names us), its claim is gone
    /// (phase Released), its reclaim policy is Delete, and nobody is deleting it already.
    /// </summary>
    public static bool ShouldDelete(IReadOnlyDictionary<string, string> annotations, string? phase, string? reclaimPolicy, bool deleting, string driver) =>
        annotations.GetValueOrDefault(ProvisioningNames.ProvisionedBy) == driver
        && phase == ProvisioningNames.PhaseReleased
        && reclaimPolicy == ProvisioningNames.ReclaimDelete
        && !deleting;
}
