using Microsoft.Extensions.Logging.Abstractions;
using VolumeDriver.Backends.Loop;
using VolumeDriver.Cli;
using VolumeDriver.Configuration;
using VolumeDriver.Domain;
using VolumeDriver.FlexVolume;
using VolumeDriver.Host;
using VolumeDriver.Locking;

namespace VolumeDriver;

/// <summary>
/// The composition root: the one place that creates the driver's services, from the configuration,
/// for one verb. Tests compose the same graph with fakes through <see cref="DriverCli"/>'s factory.
/// </summary>
internal static class Composition
{
    public static Task<VerbServices> CreateVerbServicesAsync(CliSettings settings, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        throw new NotImplementedException("wired once the configuration loader and node services land");
    }
}
