using Microsoft.Extensions.Logging.Abstractions;
using VolumeDriver.Backends.Loop;
using VolumeDriver.Configuration;
using VolumeDriver.Domain;
using VolumeDriver.Host;
using VolumeDriver.Locking;
using VolumeDriver.Tests.Node;

namespace VolumeDriver.Tests.TestSupport;

/// <summary>
/// The loop backend on a fake host tree: real image files in <c>imageDirectory</c>, loop devices and
/// mounts read from <paramref name="host"/>'s sysfs and a fake mount table, no process run for real.
/// </summary>
internal static class FakeLoopBackend
{
    public static LoopDiskBackend Create(string imageDirectory, string lockDirectory, FakeHostTree host)
    {
        Assert.True(NodeName.TryCreate("node-1", out var node, out _));
        var locking = new LockConfiguration(lockDirectory, TimeSpan.FromSeconds(5));
        return new LoopDiskBackend(
            new LoopConfiguration(imageDirectory),
            node.Value,
            host.Root,
            new LoopDevices(host.Root),
            new FakeMountTable(),
            new ScriptedProcessRunner(),
            new FileVmLockProvider(locking.Directory, TimeProvider.System, NullLogger<FileVmLockProvider>.Instance),
            locking,
            TimeSpan.FromSeconds(5),
            NullLogger<LoopDiskBackend>.Instance);
    }
}
