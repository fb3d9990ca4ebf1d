namespace VolumeDriver.Tests.Contract;

/// <summary>
/// The kubelet sequence through the published binary against the vCD double, on emulated nodes whose
/// disks are real loop devices: create on attach, find by WWN, format once, keep the data across
/// detach and attach, and the drain race between two nodes.
/// </summary>
public sealed class VCloudLifecycleTests
{
    [LifecycleFact]
    public async Task KubeletSequence_RemountAfterDetachAndAttach_KeepsTheData()
    {
        await using var fixture = await VCloudNodeFixture.StartAsync();
        var options = VCloudNodeFixture.Options("pv-life");
        var mount = fixture.MountPath("node-1", "pv-life");

        await fixture.ExpectAsync("node-1", "Success", "init");
        var device = (await fixture.ExpectAsync("node-1", "Success", "attach", options, "node-1")).Device!;
        var disk = Assert.Single(fixture.Simulator.Disks());
        Assert.Equal("/dev/disk/by-id/wwn-0x" + disk.Uuid.Replace("-", string.Empty, StringComparison.Ordinal), device);
        Assert.True((await fixture.ExpectAsync("node-1", "Success", "isattached", options, "node-1")).Attached);
        Assert.Equal(device, (await fixture.ExpectAsync("node-1", "Success", "waitforattach", device, options)).Device);
        Assert.Equal("- - -", await File.ReadAllTextAsync(Path.Join(fixture.EmulationRootOf("node-1"), "sys/class/scsi_host/host0/scan")));
        await fixture.ExpectAsync("node-1", "Success", "mountdevice", mount, device, options);
        Assert.True(LoopVolumeFixture.IsMountPoint(mount));
        await File.WriteAllTextAsync(Path.Join(mount, "data.txt"), "kept");

        await fixture.ExpectAsync("node-1", "Success", "unmountdevice", mount);
        await fixture.ExpectAsync("node-1", "Success", "detach", "pv-life", "node-1");
        Assert.False((await fixture.ExpectAsync("node-1", "Success", "isattached", options, "node-1")).Attached);
        Assert.False(File.Exists(Path.Join(fixture.EmulationRootOf("node-1"), "dev/disk/by-id/wwn-0x" + disk.Uuid.Replace("-", string.Empty, StringComparison.Ordinal))));

        var again = (await fixture.ExpectAsync("node-1", "Success", "attach", options, "node-1")).Device!;
        Assert.Equal(again, (await fixture.ExpectAsync("node-1", "Success", "waitforattach", again, options)).Device);
        await fixture.ExpectAsync("node-1", "Success", "mountdevice", mount, again, options);
        Assert.Equal("kept", await File.ReadAllTextAsync(Path.Join(mount, "data.txt")));
        await fixture.ExpectAsync("node-1", "Success", "unmountdevice", mount);
        await fixture.ExpectAsync("node-1", "Success", "detach", "pv-life", "node-1");
        await fixture.ExpectAsync("node-1", "Success", "delete", "pv-life");
        Assert.Empty(fixture.Simulator.Disks());
    }

    [LifecycleFact]
    public async Task Drain_NewNodeWaitsForTheOldOne_AndGetsTheData()
    {
        await using var fixture = await VCloudNodeFixture.StartAsync();
        var options = VCloudNodeFixture.Options("pv-drain");
        var oldMount = fixture.MountPath("node-1", "pv-drain");
        var newMount = fixture.MountPath("node-2", "pv-drain");
        var device = (await fixture.ExpectAsync("node-1", "Success", "attach", options, "node-1")).Device!;
        await fixture.ExpectAsync("node-1", "Success", "waitforattach", device, options);
        await fixture.ExpectAsync("node-1", "Success", "mountdevice", oldMount, device, options);
        await File.WriteAllTextAsync(Path.Join(oldMount, "data.txt"), "moved");

        // kubelet on node-2 attaches before node-1 has let go: a Failure naming node-1, and nothing changes.
        var early = await fixture.ExpectAsync("node-2", "Failure", "attach", options, "node-2");
        Assert.Contains("VM 'node-1'", early.Message, StringComparison.Ordinal);
        Assert.Equal(["node-1"], Assert.Single(fixture.Simulator.Disks()).AttachedVms);

        // A device still mounted on node-1 cannot be taken from it: the emulated guest refuses the detach.
        await fixture.ExpectAsync("node-1", "Failure", "detach", "pv-drain", "node-1");
        await fixture.ExpectAsync("node-1", "Success", "unmountdevice", oldMount);
        await fixture.ExpectAsync("node-1", "Success", "detach", "pv-drain", "node-1");
        var moved = (await fixture.ExpectAsync("node-2", "Success", "attach", options, "node-2")).Device!;
        Assert.Equal(device, moved);
        await fixture.ExpectAsync("node-2", "Success", "waitforattach", moved, options);
        await fixture.ExpectAsync("node-2", "Success", "mountdevice", newMount, moved, options);
        Assert.Equal("moved", await File.ReadAllTextAsync(Path.Join(newMount, "data.txt")));
        await fixture.ExpectAsync("node-2", "Success", "unmountdevice", newMount);
        await fixture.ExpectAsync("node-2", "Success", "detach", "pv-drain", "node-2");
    }

    [LifecycleFact]
    public async Task WaitForAttach_OnANodeTheDiskIsNotAttachedTo_FindsNothing()
    {
        await using var fixture = await VCloudNodeFixture.StartAsync(deviceTimeout: "2s");
        var options = VCloudNodeFixture.Options("pv-elsewhere");
        var device = (await fixture.ExpectAsync("node-1", "Success", "attach", options, "node-1")).Device!;

        var run = await fixture.RunAsync("node-2", "waitforattach", device, options);

        Assert.Equal("Failure", run.Status.Status);
        Assert.Contains("disk.enableUUID", run.Status.Message, StringComparison.Ordinal);
        await fixture.ExpectAsync("node-1", "Success", "detach", "pv-elsewhere", "node-1");
    }
}
