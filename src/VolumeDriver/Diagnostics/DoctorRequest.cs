namespace VolumeDriver.Diagnostics;

/// <summary>What <c>volume-driver doctor</c> was asked to look at.</summary>
/// <param name="ConfigPath">--config, or null for the usual lookup.</param>
/// <param name="PluginDirectory">--plugin-dir, or null to look in kubelet's default and the usual alternatives.</param>
/// <param name="Driver">--driver as given (VENDOR~NAME), or null to find this executable's installation.</param>
internal sealed record DoctorRequest(string? ConfigPath, string? PluginDirectory, string? Driver);
