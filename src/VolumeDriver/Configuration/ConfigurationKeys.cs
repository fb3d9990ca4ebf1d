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

    // Leaf names inside sections.
    public const string Directory = "directory";
    public const string File = "file";
    public const string Level = "level";
    public const string Timeout = "timeout";
    public const string DeviceTimeout = "deviceTimeout";
    public const string CommandTimeout = "commandTimeout";

    // Dotted paths, as messages name them.
    public const string LoopDirectory = Loop + "." + Directory;
    public const string LogFile = Log + "." + File;
    public const string LogLevel = Log + "." + Level;
    public const string LockingDirectory = Locking + "." + Directory;
    public const string LockingTimeout = Locking + "." + Timeout;
    public const string NodeDeviceTimeout = Node + "." + DeviceTimeout;
    public const string NodeCommandTimeout = Node + "." + CommandTimeout;

    /// <summary>The keys allowed at the top of the file, in the order the example file lists them.</summary>
    public static IReadOnlyList<string> TopLevel { get; } = [Backend, NodeName, Loop, Log, Locking, Node];

    public static IReadOnlyList<string> LoopSection { get; } = [Directory];

    public static IReadOnlyList<string> LogSection { get; } = [File, Level];

    public static IReadOnlyList<string> LockingSection { get; } = [Directory, Timeout];

    public static IReadOnlyList<string> NodeSection { get; } = [DeviceTimeout, CommandTimeout];

    // Backend names as written in the file.
    public const string LoopBackend = "loop";
    public const string AzureBackend = "azure";
    public const string VCloudBackend = "vcloud";

    // Where the file is looked for (DESIGN.md §5).
    public const string EnvironmentVariable = "VOLUME_DRIVER_CONFIG";
    public const string FileName = "config.yaml";
    public const string SystemPath = "/etc/volume-driver/config.yaml";
}
