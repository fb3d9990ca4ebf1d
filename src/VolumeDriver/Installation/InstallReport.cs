using VolumeDriver.Domain;

namespace VolumeDriver.Installation;

/// <summary>What <c>volume-driver install</c> did.</summary>
/// <param name="Executable">The driver executable under the plugin directory.</param>
/// <param name="Configuration">The configuration file, when one was given.</param>
internal sealed record InstallReport(FlexDriverName Driver, InstalledFile Executable, InstalledFile? Configuration)
{
    /// <summary>One sentence for the reply's message.</summary>
    public string Describe()
    {
        var executable = Executable.Change == InstallChange.Unchanged
            ? $"driver {Driver} unchanged at {Executable.Path} (already this executable)"
            : $"installed driver {Driver} at {Executable.Path} ({Describe(Executable.Change)}; kubelet runs init on its next probe)";
        if (Configuration is null)
        {
            return executable;
        }

        var configuration = Configuration.Change == InstallChange.Unchanged
            ? $"configuration unchanged at {Configuration.Path}"
            : $"installed configuration at {Configuration.Path} ({Describe(Configuration.Change)})";
        return executable + "; " + configuration;
    }

    private static string Describe(InstallChange change) => change switch
    {
        InstallChange.Created => "new",
        InstallChange.Replaced => "replaced",
        _ => "unchanged",
    };
}
