using VolumeDriver.Tests.TestSupport;

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
        await using var fixture = await VCloudNodeFixture.StartAsync().WithTimeout();
        var options = VCloudNodeFixture.Options("pv-life");
        var mount = fixture.MountPath("node-1", "pv-life");

        await fixture.ExpectAsync("node-1", "Success", "init").WithTimeout();
        var device = (await fixture.ExpectAsync("node-1", "Success", "attach", options, "node-1").WithTimeout()).Device!;
        var disk = Assert.Single(fixture.Simulator.Disks());
        Assert.Equal("/dev/disk/by-id/wwn-0x" + disk.Uuid.Replace("-", string.Empty, StringComparison.Ordinal), device);
        Assert.True((await fixture.ExpectAsync("node-1", "Success", "isattached", options, "node-1").WithTimeout()).Attached);
        Assert.Equal(device, (await fixture.ExpectAsync("node-1", "Success", "waitforattach", device, options).WithTimeout()).Device);
        Assert.Equal("- - -", await File.ReadAllTextAsync(Path.Join(fixture.EmulationRootOf("node-1"), "sys/class/scsi_host/host0/scan")).WithTimeout());
        await fixture.ExpectAsync("node-1", "Success", "mountdevice", mount, device, options).WithTimeout();
        Assert.True(LoopVolumeFixture.IsMountPoint(mount));
        await File.WriteAllTextAsync(Path.Join(mount, "data.txt"), "kept").WithTimeout();

        await fixture.ExpectAsync("node-1", "Success", "unmountdevice", mount).WithTimeout();
        await fixture.ExpectAsync("node-1", "Success", "detach", "pv-life", "node-1").WithTimeout();
        Assert.False((await fixture.ExpectAsync("node-1", "Success", "isattached", options, "node-1").WithTimeout()).Attached);
        Assert.False(File.Exists(Path.Join(fixture.EmulationRootOf("node-1"), "dev/disk/by-id/wwn-0x" + disk.Uuid.Replace("-", string.Empty, StringComparison.Ordinal))));

        var again = (await fixture.ExpectAsync("node-1", "Success", "attach", options, "node-1").WithTimeout()).Device!;
        Assert.Equal(again, (await fixture.ExpectAsync("node-1", "Success", "waitforattach", again, options).WithTimeout()).Device);
        await fixture.ExpectAsync("node-1", "Success", "mountdevice", mount, again, options).WithTimeout();
        Assert.Equal("kept", await File.ReadAllTextAsync(Path.Join(mount, "data.txt")).WithTimeout());
        await fixture.ExpectAsync("node-1", "Success", "unmountdevice", mount).WithTimeout();
        await fixture.ExpectAsync("node-1", "Success", "detach", "pv-life", "node-1").WithTimeout();
        await fixture.ExpectAsync("node-1", "Success", "delete", "pv-life").WithTimeout();
        Assert.Empty(fixture.Simulator.Disks());
    }

    [LifecycleFact]
    public async Task Drain_NewNodeWaitsForTheOldOne_AndGetsTheData()
    {
        // The driver runs as its own process, on the system clock: its drain wait is real time, so
        // the early attach waits 1 s (the fixture's 5 s by default) before it is refused.
        await using var fixture = await VCloudNodeFixture.StartAsync(drainWait: "1s").WithTimeout();
        var options = VCloudNodeFixture.Options("pv-drain");
        var oldMount = fixture.MountPath("node-1", "pv-drain");
        var newMount = fixture.MountPath("node-2", "pv-drain");
        var device = (await fixture.ExpectAsync("node-1", "Success", "attach", options, "node-1").WithTimeout()).Device!;
        await fixture.ExpectAsync("node-1", "Success", "waitforattach", device, options).WithTimeout();
        await fixture.ExpectAsync("node-1", "Success", "mountdevice", oldMount, device, options).WithTimeout();
        await File.WriteAllTextAsync(Path.Join(oldMount, "data.txt"), "moved").WithTimeout();

        // kubelet on node-2 attaches before node-1 has let go: a Failure naming node-1, and nothing changes.
        var early = await fixture.ExpectAsync("node-2", "Failure", "attach", options, "node-2").WithTimeout();
        Assert.Contains("VM 'node-1'", early.Message, StringComparison.Ordinal);
        Assert.Equal(["node-1"], Assert.Single(fixture.Simulator.Disks()).AttachedVms);

        // A device still mounted on node-1 cannot be taken from it: the emulated guest refuses the detach.
        await fixture.ExpectAsync("node-1", "Failure", "detach", "pv-drain", "node-1").WithTimeout();
        await fixture.ExpectAsync("node-1", "Success", "unmountdevice", oldMount).WithTimeout();
        await fixture.ExpectAsync("node-1", "Success", "detach", "pv-drain", "node-1").WithTimeout();
        var moved = (await fixture.ExpectAsync("node-2", "Success", "attach", options, "node-2").WithTimeout()).Device!;
        Assert.Equal(device, moved);
        await fixture.ExpectAsync("node-2", "Success", "waitforattach", moved, options).WithTimeout();
        await fixture.ExpectAsync("node-2", "Success", "mountdevice", newMount, moved, options).WithTimeout();
        Assert.Equal("moved", await File.ReadAllTextAsync(Path.Join(newMount, "data.txt")).WithTimeout());
        await fixture.ExpectAsync("node-2", "Success", "unmountdevice", newMount).WithTimeout();
        await fixture.ExpectAsync("node-2", "Success", "detach", "pv-drain", "node-2").WithTimeout();
    }

    [LifecycleFact]
    public async Task WaitForAttach_OnANodeTheDiskIsNotAttachedTo_FindsNothing()
    {
        await using var fixture = await VCloudNodeFixture.StartAsync(deviceTimeout: "2s").WithTimeout();
        var options = VCloudNodeFixture.Options("pv-elsewhere");
        var device = (await fixture.ExpectAsync("node-1", "Success", "attach", options, "node-1").WithTimeout()).Device!;

        var run = await fixture.RunAsync("node-2", "waitforattach", device, options).WithTimeout();

        Assert.Equal("Failure", run.Status.Status);
        Assert.Contains("disk.enableUUID", run.Status.Message, StringComparison.Ordinal);
        await fixture.ExpectAsync("node-1", "Success", "detach", "pv-elsewhere", "node-1").WithTimeout();
    }
}

/// <summary>Volumes the Python vCloud driver made: one partition, and its /dev/block link and udev rule on the node.</summary>
public sealed class VCloudPythonVolumeTests
{
    [LifecycleFact("sfdisk", "partx")]
    public async Task PartitionedVolume_MountsItsPart1WithoutReformatting_AndUnmountRemovesTheOldDriversLeftovers()
    {
        await using var fixture = await VCloudNodeFixture.StartAsync().WithTimeout();
        var diskId = fixture.Simulator.SeedDisk("pv-python", 128);
        var uuid = await MakePythonVolumeAsync(fixture.Simulator.BackingFileOf("pv-python")).WithTimeout();
        var options = VCloudNodeFixture.Options("pv-python", size: null);
        var mount = fixture.MountPath("node-1", "pv-python");
        var root = fixture.EmulationRootOf("node-1");

        var device = (await fixture.ExpectAsync("node-1", "Success", "attach", options, "node-1").WithTimeout()).Device!;
        var partition = (await fixture.ExpectAsync("node-1", "Success", "waitforattach", device, options).WithTimeout()).Device!;
        Assert.Equal(device + "-part1", partition);
        var kernelPartition = File.ResolveLinkTarget(Path.Join(root, partition.TrimStart('/')), returnFinalTarget: false)!.FullName;
        Directory.CreateDirectory(Path.Join(root, "dev/block"));
        Directory.CreateDirectory(Path.Join(root, "etc/udev/rules.d"));
        File.CreateSymbolicLink(Path.Join(root, "dev/block", diskId), kernelPartition);
        await File.WriteAllTextAsync(Path.Join(root, "etc/udev/rules.d", $"90-vcloud-idisk-{diskId}.rules"), $"SUBSYSTEM==\"block\", SYMLINK+=\"block/{diskId}\"\n").WithTimeout();
        var unrelated = Guid.NewGuid().ToString();
        File.CreateSymbolicLink(Path.Join(root, "dev/block", unrelated), "/dev/null");

        await fixture.ExpectAsync("node-1", "Success", "mountdevice", mount, partition, options).WithTimeout();
        Assert.Equal("written by the python driver", await File.ReadAllTextAsync(Path.Join(mount, "old.txt")).WithTimeout());
        Assert.Equal(uuid, (await LoopVolumeFixture.RunToolAsync("blkid", "-p", "-s", "UUID", "-o", "value", kernelPartition).WithTimeout()).Trim());
        await fixture.ExpectAsync("node-1", "Success", "unmountdevice", mount).WithTimeout();

        Assert.False(File.Exists(Path.Join(root, "dev/block", diskId)) || new FileInfo(Path.Join(root, "dev/block", diskId)).LinkTarget is not null);
        Assert.False(File.Exists(Path.Join(root, "etc/udev/rules.d", $"90-vcloud-idisk-{diskId}.rules")));
        Assert.NotNull(new FileInfo(Path.Join(root, "dev/block", unrelated)).LinkTarget);
        await fixture.ExpectAsync("node-1", "Success", "detach", "pv-python", "node-1").WithTimeout();
    }

    /// <summary>What the Python driver did to a new disk: sfdisk ',,83;' (one Linux partition), then ext4 on part1.</summary>
    private static async Task<string> MakePythonVolumeAsync(string backingFile)
    {
        await RunWithInputAsync(",,83;\n", "sfdisk", "--quiet", backingFile).WithTimeout();
        var loop = (await LoopVolumeFixture.RunToolAsync("losetup", "--find", "--show", "--partscan", backingFile).WithTimeout()).Trim();
        try
        {
            await LoopVolumeFixture.RunToolAsync("partx", "--update", loop).WithTimeout();
            await LoopVolumeFixture.RunToolAsync("mkfs.ext4", "-q", loop + "p1").WithTimeout();
            var mount = Directory.CreateTempSubdirectory("vd-python-vol-").FullName;
            await LoopVolumeFixture.RunToolAsync("mount", loop + "p1", mount).WithTimeout();
            await File.WriteAllTextAsync(Path.Join(mount, "old.txt"), "written by the python driver").WithTimeout();
            await LoopVolumeFixture.RunToolAsync("umount", mount).WithTimeout();
            Directory.Delete(mount);
            return (await LoopVolumeFixture.RunToolAsync("blkid", "-p", "-s", "UUID", "-o", "value", loop + "p1").WithTimeout()).Trim();
        }
        finally
        {
            await LoopVolumeFixture.RunToolAsync("losetup", "-d", loop).WithTimeout();
        }
    }

    private static async Task RunWithInputAsync(string input, string tool, params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo(tool) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        await process.StandardInput.WriteAsync(input).WithTimeout();
        process.StandardInput.Close();
        var error = await process.StandardError.ReadToEndAsync().WithTimeout();
        await process.StandardOutput.ReadToEndAsync().WithTimeout();
        await process.WaitForExitAsync().WithTimeout();
        Assert.True(process.ExitCode == 0, $"{tool} failed: {error}");
    }
}
