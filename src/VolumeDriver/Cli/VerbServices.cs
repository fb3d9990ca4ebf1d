using Microsoft.Extensions.Logging;
using VolumeDriver.Backends.Azure.Blob;
using VolumeDriver.Configuration;
using VolumeDriver.FlexVolume;

namespace VolumeDriver.Cli;

/// <summary>
/// What a verb runs with, composed for that one invocation. Disposing it flushes the log, which must
/// happen before the process exits.
/// </summary>
internal sealed class VerbServices : IAsyncDisposable
{
    private readonly IDisposable? _owned;

    public VerbServices(
        DriverConfiguration configuration,
        ILoggerFactory loggerFactory,
        IVhdMigration? vhdMigration,
        AttachDetachWorkflow attachDetach,
        DeviceMountWorkflow deviceMount,
        IDisposable? owned)
    {
        Configuration = configuration;
        LoggerFactory = loggerFactory;
        VhdMigration = vhdMigration;
        AttachDetach = attachDetach;
        DeviceMount = deviceMount;
        _owned = owned;
    }

    public DriverConfiguration Configuration { get; }

    public ILoggerFactory LoggerFactory { get; }

    /// <summary>migrate-vhd, when the configured backend offers it (Azure); null otherwise.</summary>
    public IVhdMigration? VhdMigration { get; }

    public AttachDetachWorkflow AttachDetach { get; }

    public DeviceMountWorkflow DeviceMount { get; }

    public ValueTask DisposeAsync()
    {
        _owned?.Dispose();
        return ValueTask.CompletedTask;
    }
}
