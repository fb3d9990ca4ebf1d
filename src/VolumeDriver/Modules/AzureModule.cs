using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using VolumeDriver.Backends;
using VolumeDriver.Backends.Azure;
using VolumeDriver.Configuration;
using VolumeDriver.Diagnostics;
using VolumeDriver.Domain;
using VolumeDriver.Node;

namespace VolumeDriver.Modules;

/// <summary>
/// Azure: managed disks, and on Azure Stack Hub blob VHDs (kinds shared and dedicated), both attached
/// through the VM's data disks and found on the node by LUN (<see cref="AzureLunResolver"/>). It
/// offers migrate-vhd. azure.json, its credential and the ArmClient are built once per invocation.
/// </summary>
internal sealed class AzureModule : IBackendModule
{
    private static readonly FrozenSet<string> Keys = AzureDiskOptions.Keys.ToFrozenSet(StringComparer.Ordinal);

    private readonly DriverConfiguration _configuration;
    private readonly Func<NodeName> _localNode;

    public AzureModule(DriverConfiguration configuration, Func<NodeName> localNode)
    {
        _configuration = configuration;
        _localNode = localNode;
    }

    public IReadOnlySet<string> OptionKeys => Keys;

    public BackendParts Compose(ModuleServices services)
    {
        var azure = _configuration.Azure;
        var logger = services.Loggers.CreateLogger<AzureManagedDiskBackend>();
        var clients = AzureClients.Create(azure, Environment.GetEnvironmentVariable, logger);
        var disk = new AzureManagedDiskBackend(clients, azure, new VolumeRecords(azure.StateDirectory, logger), services.Locks, _configuration.Locking.Timeout, services.TimeProvider, logger);
        return new BackendParts(
            disk,
            new AzureLunResolver(services.Host, services.TimeProvider, services.Loggers.CreateLogger<AzureLunResolver>()),
            VhdMigration: disk);
    }

    public IBackendDiagnostics CreateDiagnostics() => new AzureDiagnostics(_configuration.Azure, Environment.GetEnvironmentVariable, _localNode());
}
