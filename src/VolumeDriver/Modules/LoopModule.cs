using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using VolumeDriver.Backends.Loop;
using VolumeDriver.Configuration;
using VolumeDriver.Domain;
using VolumeDriver.Host;
using VolumeDriver.Node;

namespace VolumeDriver.Modules;

/// <summary>
/// Loop files: sparse images under one directory (<see cref="LoopDiskBackend"/>), found on the node
/// by their backing file (<see cref="LoopDeviceResolver"/>). No node hooks, no cloud.
/// </summary>
internal sealed class LoopModule : IBackendModule
{
    private readonly DriverConfiguration _configuration;
    private readonly Func<NodeName> _localNode;

    public LoopModule(DriverConfiguration configuration, Func<NodeName> localNode)
    {
        _configuration = configuration;
        _localNode = localNode;
    }

    /// <summary>A loop volume takes the common options only.</summary>
    public IReadOnlySet<string> OptionKeys => FrozenSet<string>.Empty;

    public IProvisioningProfile Provisioning { get; } = new LoopProvisioningProfile();

    public BackendParts Compose(ModuleServices services) => new(
        new LoopDiskBackend(
            _configuration.Loop,
            _localNode(),
            HostRoot.System,
            services.LoopDevices,
            services.MountTable,
            services.ProcessRunner,
            services.Locks,
            _configuration.Locking,
            _configuration.Node.CommandTimeout,
            services.Loggers.CreateLogger<LoopDiskBackend>()),
        new LoopDeviceResolver(services.Host, services.LoopDevices));

    public IBackendDiagnostics CreateDiagnostics() => new LoopDiagnostics(_configuration.Loop, HostRoot.System);
}
