using Simulators.VCloud;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Contract;

/// <summary>
/// A vCloud Director without API 36 reports no disk UUIDs, and a VM without disk.enableUUID shows
/// the guest no WWN: the node then locates each disk by the controller and unit vCloud reports for
/// it, matched against the guest's SCSI hosts (whose numbers differ from vCloud's bus numbers in the
/// emulation, as on real VMs). Through the published binary, with real loop devices.
/// </summary>
public sealed class VCloudSlotDiscoveryTests
{
    private static Task<VCloudNodeFixture> StartAsync(string deviceTimeout = "20s") =>
        VCloudNodeFixture.StartAsync(deviceTimeout: deviceTimeout, simulatorOptions: o => o with
        {
            Versions = ["27.0", "29.0", "30.0", "31.0", "32.0", "33.0", "34.0", "35.0"],
            GuestSeesDiskUuid = false,
        });

    [LifecycleFact]
    public async Task EachVolumeFindsItsOwnDisk_AcrossReattachesThatSwapTheirUnits()
    {
        await using var fixture = await StartAsync().WithTimeout();
        var a = VCloudNodeFixture.Options("pv-slot-a");
        var b = VCloudNodeFixture.Options("pv-slot-b", size: "2Gi");
        var mountA = fixture.MountPath("node-1", "pv-slot-a");
        var mountB = fixture.MountPath("node-1", "pv-slot-b");

        // No UUID: attach has no device path to give, and kubelet passes the empty one on.
        Assert.Equal(string.Empty, (await fixture.ExpectAsync("node-1", "Success", "attach", a, "node-1").WithTimeout()).Device ?? string.Empty);
        await fixture.ExpectAsync("node-1", "Success", "attach", b, "node-1").WithTimeout();
        var deviceA = (await fixture.ExpectAsync("node-1", "Success", "waitforattach", string.Empty, a).WithTimeout()).Device!;
        var deviceB = (await fixture.ExpectAsync("node-1", "Success", "waitforattach", string.Empty, b).WithTimeout()).Device!;
        Assert.Equal("/dev/disk/by-path/pci-0000:13:00.0-scsi-0:0:0:0", deviceA);
        Assert.Equal("/dev/disk/by-path/pci-0000:13:00.0-scsi-0:0:1:0", deviceB);
        Assert.Equal(fixture.Simulator.BackingFileOf("pv-slot-a"), BackingFileOf(fixture, deviceA));
        Assert.Equal(fixture.Simulator.BackingFileOf("pv-slot-b"), BackingFileOf(fixture, deviceB));

        await fixture.ExpectAsync("node-1", "Success", "mountdevice", mountA, deviceA, a).WithTimeout();
        await fixture.ExpectAsync("node-1", "Success", "mountdevice", mountB, deviceB, b).WithTimeout();
        await File.WriteAllTextAsync(Path.Join(mountA, "data.txt"), "a").WithTimeout();
        await File.WriteAllTextAsync(Path.Join(mountB, "data.txt"), "b").WithTimeout();

        // mountdevice checks the device against vCloud's slot: b's device is never mounted for a.
        var crossed = await fixture.RunAsync("node-1", "mountdevice", fixture.MountPath("node-1", "pv-slot-a"), deviceB, a).WithTimeout();
        Assert.Equal("Failure", crossed.Status.Status);
        Assert.Contains("stale", crossed.Status.Message, StringComparison.Ordinal);

        foreach (var (mount, name) in new[] { (mountA, "pv-slot-a"), (mountB, "pv-slot-b") })
        {
            await fixture.ExpectAsync("node-1", "Success", "unmountdevice", mount).WithTimeout();
            await fixture.ExpectAsync("node-1", "Success", "detach", name, "node-1").WithTimeout();
        }

        // Attached the other way round, b now sits at unit 0 and a at unit 1.
        await fixture.ExpectAsync("node-1", "Success", "attach", b, "node-1").WithTimeout();
        await fixture.ExpectAsync("node-1", "Success", "attach", a, "node-1").WithTimeout();
        var againA = (await fixture.ExpectAsync("node-1", "Success", "waitforattach", string.Empty, a).WithTimeout()).Device!;
        var againB = (await fixture.ExpectAsync("node-1", "Success", "waitforattach", string.Empty, b).WithTimeout()).Device!;
        Assert.Equal("/dev/disk/by-path/pci-0000:13:00.0-scsi-0:0:1:0", againA);
        Assert.Equal("/dev/disk/by-path/pci-0000:13:00.0-scsi-0:0:0:0", againB);
        await fixture.ExpectAsync("node-1", "Success", "mountdevice", mountA, againA, a).WithTimeout();
        await fixture.ExpectAsync("node-1", "Success", "mountdevice", mountB, againB, b).WithTimeout();
        Assert.Equal("a", await File.ReadAllTextAsync(Path.Join(mountA, "data.txt")).WithTimeout());
        Assert.Equal("b", await File.ReadAllTextAsync(Path.Join(mountB, "data.txt")).WithTimeout());
        foreach (var (mount, name) in new[] { (mountA, "pv-slot-a"), (mountB, "pv-slot-b") })
        {
            await fixture.ExpectAsync("node-1", "Success", "unmountdevice", mount).WithTimeout();
            await fixture.ExpectAsync("node-1", "Success", "detach", name, "node-1").WithTimeout();
        }
    }

    [LifecycleFact]
    public async Task AControllerLookingJustLikeAnother_IsNeverGuessed()
    {
        await using var fixture = await StartAsync(deviceTimeout: "2s").WithTimeout();

        // The OS disk is 16 GiB at bus 0 unit 0; a 16 GiB volume at bus 1 unit 0 makes both controllers alike.
        var options = VCloudNodeFixture.Options("pv-twin", size: "16Gi");
        await fixture.ExpectAsync("node-1", "Success", "attach", options, "node-1").WithTimeout();

        var run = await fixture.RunAsync("node-1", "waitforattach", string.Empty, options).WithTimeout();

        Assert.Equal("Failure", run.Status.Status);
        Assert.Contains("cannot tell those controllers apart", run.Status.Message, StringComparison.Ordinal);
        await fixture.ExpectAsync("node-1", "Success", "detach", "pv-twin", "node-1").WithTimeout();
    }

    [LifecycleFact]
    public async Task OnANodeTheDiskIsNotAttachedTo_WaitForAttachSaysSo()
    {
        await using var fixture = await StartAsync(deviceTimeout: "2s").WithTimeout();
        var options = VCloudNodeFixture.Options("pv-away");
        await fixture.ExpectAsync("node-1", "Success", "attach", options, "node-1").WithTimeout();

        var run = await fixture.RunAsync("node-2", "waitforattach", string.Empty, options).WithTimeout();

        Assert.Equal("Failure", run.Status.Status);
        Assert.Contains("does not show the disk on VM 'node-2'", run.Status.Message, StringComparison.Ordinal);
        await fixture.ExpectAsync("node-1", "Success", "detach", "pv-away", "node-1").WithTimeout();
    }

    /// <summary>The file behind the loop device a node path leads to (/sys/block/loopN/loop/backing_file).</summary>
    private static string BackingFileOf(VCloudNodeFixture fixture, string devicePath)
    {
        var link = Path.Join(fixture.EmulationRootOf("node-1"), devicePath.TrimStart('/'));
        var device = File.ResolveLinkTarget(link, returnFinalTarget: true)!.FullName;
        return File.ReadAllText($"/sys/block/{Path.GetFileName(device)}/loop/backing_file").Trim();
    }
}
