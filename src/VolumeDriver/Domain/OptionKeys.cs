namespace VolumeDriver.Domain;

/// <summary>Every option key the driver reads from kubelet's options JSON, in one place.</summary>
internal static class OptionKeys
{
    /// <summary>The prefix kubelet uses for the keys it adds itself.</summary>
    public const string KubernetesPrefix = "kubernetes.io/";

    public const string FsType = "kubernetes.io/fsType";
    public const string ReadWrite = "kubernetes.io/readwrite";
    public const string PvOrVolumeName = "kubernetes.io/pvOrVolumeName";
    public const string PodName = "kubernetes.io/pod.name";
    public const string PodNamespace = "kubernetes.io/pod.namespace";
    public const string PodUid = "kubernetes.io/pod.uid";
    public const string ServiceAccountName = "kubernetes.io/serviceAccount.name";
    public const string SecretPrefix = "kubernetes.io/secret/";

    /// <summary>The fsGroup key since Kubernetes 1.15.</summary>
    public const string MounterArgsFsGroup = "kubernetes.io/mounterArgs.FsGroup";

    /// <summary>The fsGroup key before Kubernetes 1.15.</summary>
    public const string LegacyFsGroup = "kubernetes.io/fsGroup";

    /// <summary>The size to create the disk with: 512Mi, 10Gi, plain bytes.</summary>
    public const string Size = "size";

    /// <summary>The storage-class spelling of the filesystem type, used when kubernetes.io/fsType is empty.</summary>
    public const string LegacyFsType = "fstype";

    public const string MountOptions = "mountOptions";

    /// <summary>The spelling of mountOptions before the vCloud driver's 2.4 release.</summary>
    public const string LegacyMountOptions = "mountoptions";

    /// <summary>Values longer than this are refused (secrets, which only mount receives, may be longer).</summary>
    public const int MaxValueLength = 16 * 1024;
}
