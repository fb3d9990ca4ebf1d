namespace VolumeDriver.Provisioning;

/// <summary>
/// The annotations, field values and event reasons the provisioner shares with Kubernetes, spelled
/// as kube-controller-manager's PV controller and the external-provisioner library spell them
/// (docs/research/kubernetes-provisioning.md §3.7).
/// </summary>
internal static class ProvisioningNames
{
    /// <summary>On a PV: which provisioner made it, so only that one deletes it.</summary>
    public const string ProvisionedBy = "pv.kubernetes.io/provisioned-by";

    /// <summary>On a PVC: the provisioner the PV controller expects to act (the class's provisioner).</summary>
    public const string StorageProvisioner = "volume.kubernetes.io/storage-provisioner";

    /// <summary>The same, as PV controllers before Kubernetes 1.23 wrote it.</summary>
    public const string BetaStorageProvisioner = "volume.beta.kubernetes.io/storage-provisioner";

    /// <summary>On a PVC of a WaitForFirstConsumer class: the node the scheduler picked.</summary>
    public const string SelectedNode = "volume.kubernetes.io/selected-node";

    public const string WaitForFirstConsumer = "WaitForFirstConsumer";

    public const string ReclaimDelete = "Delete";
    public const string ReclaimRetain = "Retain";

    public const string PhaseReleased = "Released";

    public const string ReadWriteOnce = "ReadWriteOnce";
    public const string ReadOnlyMany = "ReadOnlyMany";
    public const string ReadWriteMany = "ReadWriteMany";
    public const string ReadWriteOncePod = "ReadWriteOncePod";

    public const string VolumeModeBlock = "Block";

    /// <summary>The StorageClass parameters that set the PV's flexVolume.fsType (the driver's option key, and the spelling Kubernetes' docs use).</summary>
    public static readonly string[] FsTypeParameters = [Domain.OptionKeys.LegacyFsType, "fsType"];

    /// <summary>
    /// The Lease that elects the active replica: the driver's name with '/' as '-', as
    /// external-provisioner names its lock (strings.Replace(provisionerName, "/", "-")), lower-cased
    /// and with any other character a Lease name cannot hold ('_', '~') as '-'.
    /// </summary>
    public static string LeaseNameFor(Domain.FlexDriverName driver) =>
        new([.. driver.QualifiedName.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '-')]);

    /// <summary>Event reasons, as the external-provisioner library writes them.</summary>
    public const string ReasonProvisioning = "Provisioning";
    public const string ReasonProvisioningSucceeded = "ProvisioningSucceeded";
    public const string ReasonProvisioningFailed = "ProvisioningFailed";
    public const string ReasonVolumeFailedDelete = "VolumeFailedDelete";

    public const string EventNormal = "Normal";
    public const string EventWarning = "Warning";
}
