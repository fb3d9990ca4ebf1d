namespace VolumeDriver.Provisioning;

/// <summary>What the provisioner reads of a StorageClass.</summary>
/// <param name="ReclaimPolicy">reclaimPolicy (Delete when unset, as the API server defaults it).</param>
/// <param name="VolumeBindingMode">volumeBindingMode (Immediate when unset).</param>
internal sealed record ProvisioningClass(
    string Name,
    string Provisioner,
    IReadOnlyDictionary<string, string> Parameters,
    string? ReclaimPolicy,
    IReadOnlyList<string> MountOptions,
    string? VolumeBindingMode)
{
    public bool WaitsForFirstConsumer => VolumeBindingMode == ProvisioningNames.WaitForFirstConsumer;
}
