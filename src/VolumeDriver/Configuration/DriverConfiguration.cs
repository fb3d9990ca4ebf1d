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
