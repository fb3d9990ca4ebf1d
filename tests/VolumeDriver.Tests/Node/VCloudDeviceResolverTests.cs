using Microsoft.Extensions.Logging.Abstractions;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.Host;
using VolumeDriver.Node;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Node;

/// <summary>Finding a vCloud disk by its WWN in a fake host tree.</summary>
public sealed class VCloudDeviceResolverTests : IDisposable
{
    private const string Wwn = "6000c29a1b2c3d4e5f60718293a4b5c6";

    private readonly FakeHostTree _host = new();
    private readonly ManualTimeProvider _time = new();

    public void Dispose() => _host.Dispose();

    private static VCloudDiskIdentity Disk => new("pv-1", Wwn);

    private VCloudDeviceResolver Resolver() => new(_host.Root, _time, NullLogger<VCloudDeviceResolver>.Instance);

    [Fact]
    public async Task ByIdLink_IsFollowed_AndTheStablePathReturned()
    {
        _host.AddBlockDevice("sdc", 8, 32);
        _host.Link("/dev/disk/by-id/wwn-0x" + Wwn, "../../sdc");
        _host.Write("/sys/class/block/sdc/device/wwid", "naa." + Wwn + "\n");

        var found = await Resolver().ResolveAsync(Disk, CancellationToken.None);

        Assert.Equal("/dev/disk/by-id/wwn-0x" + Wwn, found.DevicePath);
    }

    [Fact]
    public async Task LinkToADeviceWithAnotherWwid_IsRefused()
    {
        _host.AddBlockDevice("sdd", 8, 48);
        _host.Link("/dev/disk/by-id/wwn-0x" + Wwn, "../../sdd");
        _host.Write("/sys/class/block/sdd/device/wwid", "naa.6000c29fffffffffffffffffffffffff\n");

        var e = await Assert.ThrowsAsync<UnsafeOperationException>(() => Resolver().ResolveAsync(Disk, CancellationToken.None));

        Assert.Contains("stale udev link", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutUdevLinks_SysfsWwidFindsTheKernelName_AndSaysSo()
    {
        _host.AddBlockDevice("sde", 8, 64);
        _host.Write("/sys/block/sde/dev", "8:64\n");
        _host.Write("/sys/class/block/sde/device/wwid", "naa." + Wwn.ToUpperInvariant() + "\n");

        var found = await Resolver().ResolveAsync(Disk, CancellationToken.None);

        Assert.Equal("/dev/sde", found.DevicePath);
        Assert.Contains("no /dev/disk/by-id link", found.Observation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NothingThere_IsNotFound_AndTheAdviceNamesEnableUuid()
    {
        var resolver = Resolver();

        var found = await resolver.ResolveAsync(Disk, CancellationToken.None);

        Assert.Null(found.DevicePath);
        Assert.Contains("disk.enableUUID=TRUE", resolver.WhatToCheck(Disk), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScsiHosts_AreRescannedOnTheFirstLook_ThenAtMostEveryFiveSeconds()
    {
        _host.Write("/sys/class/scsi_host/host0/scan", string.Empty);
        _host.Write("/sys/class/scsi_host/host1/scan", string.Empty);
        var resolver = Resolver();

        await resolver.ResolveAsync(Disk, CancellationToken.None);
        var first = File.ReadAllText(_host.Root.Map("/sys/class/scsi_host/host1/scan"));
        _host.Write("/sys/class/scsi_host/host1/scan", string.Empty);
        _time.Advance(TimeSpan.FromSeconds(1));
        await resolver.ResolveAsync(Disk, CancellationToken.None);
        var soon = File.ReadAllText(_host.Root.Map("/sys/class/scsi_host/host1/scan"));
        _time.Advance(TimeSpan.FromSeconds(5));
        await resolver.ResolveAsync(Disk, CancellationToken.None);
        var later = File.ReadAllText(_host.Root.Map("/sys/class/scsi_host/host1/scan"));

        Assert.Equal("- - -", first);
        Assert.Equal(string.Empty, soon);
        Assert.Equal("- - -", later);
    }

    [Fact]
    public async Task DiskWithOnePartition_IsAnsweredWithItsPart1()
    {
        _host.AddBlockDevice("sdf", 8, 80);
        _host.Write("/sys/class/block/sdf/sdf1/partition", "1\n");
        _host.Link("/dev/disk/by-id/wwn-0x" + Wwn, "../../sdf");

        var found = await Resolver().ResolveAsync(Disk, CancellationToken.None);

        Assert.Equal("/dev/disk/by-id/wwn-0x" + Wwn + "-part1", found.DevicePath);
    }

    [Fact]
    public async Task DiskWithTwoPartitions_IsRefused()
    {
        _host.AddBlockDevice("sdg", 8, 96);
        _host.Write("/sys/class/block/sdg/sdg1/partition", "1\n");
        _host.Write("/sys/class/block/sdg/sdg2/partition", "2\n");
        _host.Link("/dev/disk/by-id/wwn-0x" + Wwn, "../../sdg");

        var e = await Assert.ThrowsAsync<UnsafeOperationException>(() => Resolver().ResolveAsync(Disk, CancellationToken.None));

        Assert.Contains("2 partitions", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmulationRoot_MapsOnlyUdevAndScsiPaths()
    {
        var root = new HostRoot("/", "/tmp/node-1");

        Assert.Equal("/tmp/node-1/dev/disk/by-id/x", root.Map("/dev/disk/by-id/x"));
        Assert.Equal("/tmp/node-1/sys/class/scsi_host/host0/scan", root.Map("/sys/class/scsi_host/host0/scan"));
        Assert.Equal("/tmp/node-1/dev/block/1234", root.Map("/dev/block/1234"));
        Assert.Equal("/dev/loop3", root.Map("/dev/loop3"));
        Assert.Equal("/sys/class/block/loop3/dev", root.Map("/sys/class/block/loop3/dev"));
        Assert.Equal("/proc/self/mountinfo", root.Map("/proc/self/mountinfo"));
        Assert.Equal("/dev/diskette", root.Map("/dev/diskette"));
    }
}
