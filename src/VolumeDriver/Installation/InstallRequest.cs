using VolumeDriver.Domain;

namespace VolumeDriver.Installation;

/// <summary>What <c>volume-driver install</c> was asked to do.</summary>
/// <param name="PluginDirectory">kubelet's --volume-plugin-dir (the executable goes under it).</param>
/// <param name="Driver">The driver name kubelet will know it by.</param>
/// <param name="ConfigFile">A configuration file to validate and install, or null.</param>
/// <param name="ConfigDestination">Where the configuration goes (default /etc/volume-driver/config.yaml).</param>
internal sealed record InstallRequest(string PluginDirectory, FlexDriverName Driver, string? ConfigFile, string ConfigDestination);
