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

        var found = await Resolver().ResolveAsync(Disk, CancellationToken.None).WithTimeout();

        Assert.Equal("/dev/disk/by-id/wwn-0x" + Wwn, found.DevicePath);
    }

    [Fact]
    public async Task LinkToADeviceWithAnotherWwid_IsRefused()
    {
        _host.AddBlockDevice("sdd", 8, 48);
        _host.Link("/dev/disk/by-id/wwn-0x" + Wwn, "../../sdd");
        _host.Write("/sys/class/block/sdd/device/wwid", "naa.6000c29fffffffffffffffffffffffff\n");

        var e = await Assert.ThrowsAsync<UnsafeOperationException>(() => Resolver().ResolveAsync(Disk, CancellationToken.None)).WithTimeout();

        Assert.Contains("stale udev link", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutUdevLinks_SysfsWwidFindsTheKernelName_AndSaysSo()
    {
        _host.AddBlockDevice("sde", 8, 64);
        _host.Write("/sys/block/sde/dev", "8:64\n");
        _host.Write("/sys/class/block/sde/device/wwid", "naa." + Wwn.ToUpperInvariant() + "\n");

        var found = await Resolver().ResolveAsync(Disk, CancellationToken.None).WithTimeout();

        Assert.Equal("/dev/sde", found.DevicePath);
        Assert.Contains("no /dev/disk/by-id link", found.Observation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NothingThere_IsNotFound_AndTheAdviceNamesEnableUuid()
    {
        var resolver = Resolver();

        var found = await resolver.ResolveAsync(Disk, CancellationToken.None).WithTimeout();

        Assert.Null(found.DevicePath);
        Assert.Contains("disk.enableUUID=TRUE", resolver.WhatToCheck(Disk), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScsiHosts_AreRescannedOnTheFirstLook_ThenAtMostEveryFiveSeconds()
    {
        _host.Write("/sys/class/scsi_host/host0/scan", string.Empty);
        _host.Write("/sys/class/scsi_host/host1/scan", string.Empty);
        var resolver = Resolver();

        await resolver.ResolveAsync(Disk, CancellationToken.None).WithTimeout();
        var first = File.ReadAllText(_host.Root.Map("/sys/class/scsi_host/host1/scan"));
        _host.Write("/sys/class/scsi_host/host1/scan", string.Empty);
        _time.Advance(TimeSpan.FromSeconds(1));
        await resolver.ResolveAsync(Disk, CancellationToken.None).WithTimeout();
        var soon = File.ReadAllText(_host.Root.Map("/sys/class/scsi_host/host1/scan"));
        _time.Advance(TimeSpan.FromSeconds(5));
        await resolver.ResolveAsync(Disk, CancellationToken.None).WithTimeout();
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

        var found = await Resolver().ResolveAsync(Disk, CancellationToken.None).WithTimeout();

        Assert.Equal("/dev/disk/by-id/wwn-0x" + Wwn + "-part1", found.DevicePath);
    }

    [Fact]
    public async Task DiskWithTwoPartitions_IsRefused()
    {
        _host.AddBlockDevice("sdg", 8, 96);
        _host.Write("/sys/class/block/sdg/sdg1/partition", "1\n");
        _host.Write("/sys/class/block/sdg/sdg2/partition", "2\n");
        _host.Link("/dev/disk/by-id/wwn-0x" + Wwn, "../../sdg");

        var e = await Assert.ThrowsAsync<UnsafeOperationException>(() => Resolver().ResolveAsync(Disk, CancellationToken.None)).WithTimeout();

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

    // ---- disks without a UUID: by slot ----

    private const long GiB = 1024L * 1024 * 1024;

    private sealed class FixedLayout(VmDiskLayout layout) : IVmDiskLayoutSource
    {
        public List<(string Disk, NodeName Node)> Calls { get; } = [];

        public Task<VmDiskLayout> ReadLayoutAsync(string diskName, NodeName node, CancellationToken cancellationToken)
        {
            Calls.Add((diskName, node));
            return Task.FromResult(layout);
        }
    }

    private static readonly VmDiskController PvScsi0 = new(6, "VirtualSCSI", 0);
    private static readonly VmDiskController PvScsi1 = new(6, "VirtualSCSI", 1);

    private void AddScsiDisk(string address, string name, long bytes)
    {
        _host.Write($"/sys/bus/scsi/devices/{address}/vendor", "VMware  \n");
        _host.Write($"/sys/bus/scsi/devices/{address}/block/{name}/size", (bytes / 512).ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");
    }

    private VCloudDeviceResolver SlotResolver(IVmDiskLayoutSource layouts) =>
        new(_host.Root, _time, NullLogger<VCloudDeviceResolver>.Instance, layouts, () => NodeName.TryCreate("node-1", out var node, out _) ? node.Value : throw new InvalidOperationException());

    [Fact]
    public async Task BySlot_TheDeviceAtTheMatchingHostsUnit_WithItsByPathLink()
    {
        AddScsiDisk("3:0:0:0", "sda", 16 * GiB);
        AddScsiDisk("2:0:0:0", "sdb", 1 * GiB);
        AddScsiDisk("2:0:1:0", "sdc", 2 * GiB);
        _host.AddBlockDevice("sdc", 8, 32);
        _host.Link("/dev/disk/by-path/pci-0000:13:00.0-scsi-0:0:1:0", "../../sdc");
        _host.Link("/dev/disk/by-path/pci-0000:13:00.0-scsi-0:0:0:0", "../../sdb");
        var layouts = new FixedLayout(new("node-1", [new(PvScsi0, 0, 16 * GiB, false), new(PvScsi1, 0, 1 * GiB, false), new(PvScsi1, 1, 2 * GiB, true)], null));

        var found = await SlotResolver(layouts).ResolveAsync(new VCloudSlotIdentity("pv-1"), CancellationToken.None).WithTimeout();

        Assert.Equal("/dev/disk/by-path/pci-0000:13:00.0-scsi-0:0:1:0", found.DevicePath);
        Assert.Equal(("pv-1", "node-1"), (layouts.Calls.Single().Disk, layouts.Calls.Single().Node.Value));
    }

    [Fact]
    public async Task BySlot_WithoutByPathLinks_TheKernelName()
    {
        AddScsiDisk("2:0:0:0", "sdb", 1 * GiB);
        var layouts = new FixedLayout(new("node-1", [new(PvScsi1, 0, 1 * GiB, true)], null));

        var found = await SlotResolver(layouts).ResolveAsync(new VCloudSlotIdentity("pv-1"), CancellationToken.None).WithTimeout();

        Assert.Equal("/dev/sdb", found.DevicePath);
    }

    [Fact]
    public async Task BySlot_ADiskWithAWwnTheGuestSees_IsFoundByWwn()
    {
        _host.AddBlockDevice("sdc", 8, 32);
        _host.Link("/dev/disk/by-id/wwn-0x" + Wwn, "../../sdc");
        var layouts = new FixedLayout(new("node-1", [new(PvScsi1, 0, 1 * GiB, true)], Wwn));

        var found = await SlotResolver(layouts).ResolveAsync(new VCloudSlotIdentity("pv-1"), CancellationToken.None).WithTimeout();

        Assert.Equal("/dev/disk/by-id/wwn-0x" + Wwn, found.DevicePath);
    }

    [Fact]
    public async Task BySlot_ADiskOnASataController_IsRefusedWithTheReason()
    {
        var layouts = new FixedLayout(new("node-1", [new(new VmDiskController(20, "vmware.sata.ahci", 0), 1, 1 * GiB, true)], null));

        var e = await Assert.ThrowsAsync<UnsafeOperationException>(() => SlotResolver(layouts).ResolveAsync(new VCloudSlotIdentity("pv-1"), CancellationToken.None)).WithTimeout();

        Assert.Contains("only disks on SCSI controllers", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BySlot_IsOnlyOfferedWithALayoutSource()
    {
        Assert.False(Resolver().CanResolve(new VCloudSlotIdentity("pv-1")));
        Assert.True(SlotResolver(new FixedLayout(new("node-1", [], null))).CanResolve(new VCloudSlotIdentity("pv-1")));
    }
}
