namespace VolumeDriver.Configuration;

/// <summary>
/// Every key of the YAML configuration file, spelled once. Leaf names are shared between sections
/// (<c>loop.directory</c> and <c>locking.directory</c>); the dotted paths that messages and
/// <see cref="Errors.ConfigurationException.Key"/> use are composed from them here.
/// </summary>
internal static class ConfigurationKeys
{
    // Top level.
    public const string Backend = "backend";
    public const string NodeName = "nodeName";
    public const string Loop = "loop";
    public const string Log = "log";
    public const string Locking = "locking";
    public const string Node = "node";
    public const string VCloud = "vcloud";
    public const string Azure = "azure";
    public const string CloudConfig = "cloudConfig";
    public const string CaCertificate = "caCert";
    public const string Etcd = "etcd";

    // Leaf names inside sections.
    public const string Directory = "directory";
    public const string File = "file";
    public const string Level = "level";
    public const string Timeout = "timeout";
    public const string DeviceTimeout = "deviceTimeout";
    public const string CommandTimeout = "commandTimeout";
    public const string EmulationRoot = "emulationRoot";
    public const string AllowSuidAndDevices = "allowSuidAndDevices";
    public const string Overcommit = "overcommit";

    // Dotted paths, as messages name them.
    public const string LoopDirectory = Loop + "." + Directory;
    public const string LoopOvercommit = Loop + "." + Overcommit;
    public const string LogFile = Log + "." + File;
    public const string LogLevel = Log + "." + Level;
    public const string LockingDirectory = Locking + "." + Directory;
    public const string LockingTimeout = Locking + "." + Timeout;
    public const string NodeDeviceTimeout = Node + "." + DeviceTimeout;
    public const string NodeCommandTimeout = Node + "." + CommandTimeout;
    public const string NodeAllowSuidAndDevices = Node + "." + AllowSuidAndDevices;

    /// <summary>The keys allowed at the top of the file, in the order the example file lists them.</summary>
    public static IReadOnlyList<string> TopLevel { get; } = [Backend, NodeName, Loop, Azure, VCloud, Log, Locking, Node];

    public const string AzureStateDirectory = "stateDir";
    public const string AzureDrainWait = "drainWait";
    public const string AzureBlobServiceVersion = "blobServiceVersion";

    public static IReadOnlyList<string> AzureSection { get; } = [CloudConfig, CaCertificate, AzureStateDirectory, AzureDrainWait, AzureBlobServiceVersion];

    public static IReadOnlyList<string> LoopSection { get; } = [Directory, Overcommit];

    public static IReadOnlyList<string> LogSection { get; } = [File, Level];

    public static IReadOnlyList<string> LockingSection { get; } = [Directory, Timeout, Etcd];

    // The vcloud section: the Python driver's keys (snake_case, as its config.yaml has them) first,
    // then this driver's additions in the same style.
    public const string Host = "host";
    public const string Org = "org";
    public const string Vdc = "vdc";
    public const string Username = "username";
    public const string Password = "password";
    public const string VerifySslCerts = "verify_ssl_certs";
    public const string PyvcloudLog = "log";
    public const string PyvcloudLogFile = "log_file";
    public const string ApiVersion = "api_version";
    public const string DefaultStorage = "default_storage";
    public const string Debug = "debug";
    public const string CaCert = "ca_cert";
    public const string StateDir = "state_dir";
    public const string VmNames = "vm_names";
    public const string VApp = "vapp";
    public const string TaskTimeout = "task_timeout";
    public const string DrainWait = "drain_wait";
    public const string DetachPoweredOff = "detach_powered_off";

    public static IReadOnlyList<string> VCloudSection { get; } =
    [
        Host, Org, Vdc, Username, Password, VerifySslCerts, PyvcloudLog, PyvcloudLogFile, ApiVersion, DefaultStorage, Etcd, Debug,
        CaCert, StateDir, VmNames, VApp, TaskTimeout, DrainWait, DetachPoweredOff,
    ];

    // The etcd section (the Python driver's keys, plus endpoints, credentials and the lease TTL).
    public const string Port = "port";
    public const string Cert = "cert";
    public const string Key = "key";
    public const string Endpoints = "endpoints";
    public const string LeaseTtl = "lease_ttl";

    public static IReadOnlyList<string> EtcdSection { get; } = [Host, Port, Endpoints, CaCert, Cert, Key, Timeout, Username, Password, LeaseTtl];

    public static IReadOnlyList<string> NodeSection { get; } = [DeviceTimeout, CommandTimeout, EmulationRoot, AllowSuidAndDevices];

    // Backend names as written in the file.
    public const string LoopBackend = "loop";
    public const string AzureBackend = "azure";
    public const string VCloudBackend = "vcloud";

    // Where the file is looked for (DESIGN.md §5).
    public const string EnvironmentVariable = "VOLUME_DRIVER_CONFIG";
    public const string FileName = "config.yaml";
    public const string SystemPath = "/etc/volume-driver/config.yaml";

    /// <summary>Where the Python vCloud driver kept its config.yaml; read last, so a swapped binary keeps working.</summary>
    public const string PythonVCloudDriverPath = "/opt/vcloud-flexvolume/etc/config.yaml";

    /// <summary>The executable name of the Python vCloud driver's wrapper, which implies the vCloud backend.</summary>
    public const string PythonVCloudDriverExecutable = "vcloud";
}
