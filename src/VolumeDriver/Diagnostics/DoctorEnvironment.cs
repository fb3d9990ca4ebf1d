namespace VolumeDriver.Diagnostics;

/// <summary>What doctor reads about the process and the machine, as values tests can replace.</summary>
/// <param name="ExecutablePath">The running executable (production: <see cref="Environment.ProcessPath"/>).</param>
/// <param name="IsPrivileged">Running as root, as kubelet runs the driver.</param>
/// <param name="HostName">This machine's host name (production: <see cref="System.Net.Dns.GetHostName"/>).</param>
/// <param name="SearchPath">The PATH external tools are looked up on.</param>
/// <param name="PluginDirectories">Where to look for the installed driver when --plugin-dir is not given, kubelet's default first.</param>
internal sealed record DoctorEnvironment(
    string? ExecutablePath,
    bool IsPrivileged,
    Func<string> HostName,
    string SearchPath,
    IReadOnlyList<string> PluginDirectories)
{
    /// <summary>kubelet's --volume-plugin-dir default.</summary>
    public const string KubeletDefaultPluginDirectory = "/usr/libexec/kubernetes/kubelet-plugins/volume/exec";

    /// <summary>kubelet's default, then the writable places distributions with a read-only /usr use.</summary>
    public static IReadOnlyList<string> StandardPluginDirectories { get; } =
    [
        KubeletDefaultPluginDirectory,
        "/etc/kubernetes/volumeplugins",
        "/var/lib/kubelet/volumeplugins",
    ];
}
