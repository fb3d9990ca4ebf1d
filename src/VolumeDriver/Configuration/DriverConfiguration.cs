namespace VolumeDriver.Configuration;

/// <summary>
/// The validated, immutable configuration a verb runs with. <see cref="ConfigurationLoader"/> builds
/// it from YAML (or from defaults when no file exists) and checks every key and value once.
/// </summary>
/// <param name="SourceFile">The file it was read from, or null when the defaults were used.</param>
/// <param name="Backend">Which backend serves volumes.</param>
/// <param name="NodeName">This machine's Kubernetes node name; null means the host name.</param>
internal sealed record DriverConfiguration(
    string? SourceFile,
    BackendKind Backend,
    string? NodeName,
    LoopConfiguration Loop,
    LogConfiguration Log,
    LockConfiguration Locking,
    NodeConfiguration Node)
{
    /// <summary>The Azure backend's settings (where azure.json is).</summary>
    public AzureConfiguration Azure { get; init; } = AzureConfiguration.Defaults;

    /// <summary>The vCloud backend's settings, when the file has a <c>vcloud:</c> section.</summary>
    public VCloudConfiguration? VCloud { get; init; }

    public static DriverConfiguration Defaults { get; } = new(
        SourceFile: null,
        Backend: BackendKind.Loop,
        NodeName: null,
        Loop: LoopConfiguration.Defaults,
        Log: LogConfiguration.Defaults,
        Locking: LockConfiguration.Defaults,
        Node: NodeConfiguration.Defaults);
}

/// <summary>The Azure backend: the cloud-provider file, and a CA bundle for clouds with a private CA (Azure Stack Hub).</summary>
/// <param name="CloudConfigFile">azure.json (cloud-provider-azure's file).</param>
/// <param name="CaCertificateFile">PEM CAs to trust for ARM and the token authority instead of the system's, or null.</param>
/// <param name="StateDirectory">Root-only directory for the volume records (a PV whose disk is named apart from it).</param>
/// <param name="DrainWait">How long attach waits for a disk still attached to another VM to be freed.</param>
/// <param name="BlobServiceVersion">The x-ms-version of blob-disk requests: one Azure Stack Hub serves (it refuses newer ones).</param>
internal sealed record AzureConfiguration(string CloudConfigFile, string? CaCertificateFile, string StateDirectory = AzureConfiguration.DefaultStateDirectory, TimeSpan? DrainWait = null, string BlobServiceVersion = BlobServiceVersions.Default)
{
    public const string DefaultStateDirectory = "/var/lib/volume-driver/azure";

    public static AzureConfiguration Defaults { get; } = new("/etc/kubernetes/azure.json", null);

    public TimeSpan DrainWaitOrDefault => DrainWait ?? TimeSpan.FromSeconds(60);
}

/// <summary>The loop backend: where disk image files live.</summary>
/// <param name="Overcommit">
/// How far sparse images may promise more than the disk holds: a new image (or a growth) is refused
/// when its size exceeds the free space of the images' filesystem times this ratio. 1 (the default)
/// never promises more than is free; 0 is refused.
/// </param>
internal sealed record LoopConfiguration(string Directory, double Overcommit = LoopConfiguration.DefaultOvercommit)
{
    public const double DefaultOvercommit = 1;

    /// <summary>Larger ratios are typos: 1000× of a 100 GiB disk is already 100 TiB.</summary>
    public const double MaxOvercommit = 1000;

    public static LoopConfiguration Defaults { get; } = new("/var/lib/volume-driver/loop");
}

/// <summary>The log file and its level.</summary>
internal sealed record LogConfiguration(string File, LogLevelSetting Level)
{
    public static LogConfiguration Defaults { get; } = new("/var/log/volume-driver.log", LogLevelSetting.Information);
}

/// <summary>Log levels a configuration may name (Serilog's, in its spelling).</summary>
internal enum LogLevelSetting
{
    Verbose,
    Debug,
    Information,
    Warning,
    Error,
    Fatal,
}

/// <summary>
/// The per-VM lock: where local lock files live and how long to wait for one; with an etcd cluster
/// configured, the lock is taken there instead, so nodes and the controller exclude each other.
/// </summary>
internal sealed record LockConfiguration(string Directory, TimeSpan Timeout, EtcdConfiguration? Etcd = null)
{
    public static LockConfiguration Defaults { get; } = new("/run/volume-driver/locks", TimeSpan.FromMinutes(2));
}

/// <summary>Node-side deadlines and mount policy.</summary>
/// <param name="DeviceTimeout">How long waitforattach waits for a device to appear.</param>
/// <param name="CommandTimeout">The deadline for one external tool (mkfs of a large disk included).</param>
/// <param name="EmulationRoot">For the cloud test doubles only: where this node's /dev/disk and SCSI sysfs are read (see <see cref="Host.HostRoot"/>).</param>
/// <param name="AllowSuidAndDevices">
/// When false (the default), every volume is mounted nosuid,nodev and a volume's own suid or dev
/// option is refused: whoever writes a pod writes an inline volume's options. True leaves both to the volume.
/// </param>
internal sealed record NodeConfiguration(TimeSpan DeviceTimeout, TimeSpan CommandTimeout, string? EmulationRoot = null, bool AllowSuidAndDevices = false)
{
    public static NodeConfiguration Defaults { get; } = new(TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5));
}
