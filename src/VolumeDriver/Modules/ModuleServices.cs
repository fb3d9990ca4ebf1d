using Microsoft.Extensions.Logging;
using VolumeDriver.Host;
using VolumeDriver.Locking;

namespace VolumeDriver.Modules;

/// <summary>The node's services of one invocation, which the composition root hands the configured module.</summary>
/// <param name="Host">The node's filesystem root (the emulation root in tests).</param>
/// <param name="Locks">The per-VM locks (etcd when configured, else local flock).</param>
internal sealed record ModuleServices(
    HostRoot Host,
    IProcessRunner ProcessRunner,
    IMountTable MountTable,
    LoopDevices LoopDevices,
    IVmLockProvider Locks,
    TimeProvider TimeProvider,
    ILoggerFactory Loggers);
