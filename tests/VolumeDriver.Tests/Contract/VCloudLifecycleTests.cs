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

/// <summary>Volumes the Python vCloud driver made: one partition, and its /dev/block link and udev rule on the node.</summary>
public sealed class VCloudPythonVolumeTests
{
    [LifecycleFact("sfdisk", "partx")]
    public async Task PartitionedVolume_MountsItsPart1WithoutReformatting_AndUnmountRemovesTheOldDriversLeftovers()
    {
        await using var fixture = await VCloudNodeFixture.StartAsync();
        var diskId = fixture.Simulator.SeedDisk("pv-python", 128);
        var uuid = await MakePythonVolumeAsync(fixture.Simulator.BackingFileOf("pv-python"));
        var options = VCloudNodeFixture.Options("pv-python", size: null);
        var mount = fixture.MountPath("node-1", "pv-python");
        var root = fixture.EmulationRootOf("node-1");

        var device = (await fixture.ExpectAsync("node-1", "Success", "attach", options, "node-1")).Device!;
        var partition = (await fixture.ExpectAsync("node-1", "Success", "waitforattach", device, options)).Device!;
        Assert.Equal(device + "-part1", partition);
        var kernelPartition = File.ResolveLinkTarget(Path.Join(root, partition.TrimStart('/')), returnFinalTarget: false)!.FullName;
        Directory.CreateDirectory(Path.Join(root, "dev/block"));
        Directory.CreateDirectory(Path.Join(root, "etc/udev/rules.d"));
        File.CreateSymbolicLink(Path.Join(root, "dev/block", diskId), kernelPartition);
        await File.WriteAllTextAsync(Path.Join(root, "etc/udev/rules.d", $"90-vcloud-idisk-{diskId}.rules"), $"SUBSYSTEM==\"block\", SYMLINK+=\"block/{diskId}\"\n");
        var unrelated = Guid.NewGuid().ToString();
        File.CreateSymbolicLink(Path.Join(root, "dev/block", unrelated), "/dev/null");

        await fixture.ExpectAsync("node-1", "Success", "mountdevice", mount, partition, options);
        Assert.Equal("written by the python driver", await File.ReadAllTextAsync(Path.Join(mount, "old.txt")));
        Assert.Equal(uuid, (await LoopVolumeFixture.RunToolAsync("blkid", "-p", "-s", "UUID", "-o", "value", kernelPartition)).Trim());
        await fixture.ExpectAsync("node-1", "Success", "unmountdevice", mount);

        Assert.False(File.Exists(Path.Join(root, "dev/block", diskId)) || new FileInfo(Path.Join(root, "dev/block", diskId)).LinkTarget is not null);
        Assert.False(File.Exists(Path.Join(root, "etc/udev/rules.d", $"90-vcloud-idisk-{diskId}.rules")));
        Assert.NotNull(new FileInfo(Path.Join(root, "dev/block", unrelated)).LinkTarget);
        await fixture.ExpectAsync("node-1", "Success", "detach", "pv-python", "node-1");
    }

    /// <summary>What the Python driver did to a new disk: sfdisk ',,83;' (one Linux partition), then ext4 on part1.</summary>
    private static async Task<string> MakePythonVolumeAsync(string backingFile)
    {
        await RunWithInputAsync(",,83;\n", "sfdisk", "--quiet", backingFile);
        var loop = (await LoopVolumeFixture.RunToolAsync("losetup", "--find", "--show", "--partscan", backingFile)).Trim();
        try
        {
            await LoopVolumeFixture.RunToolAsync("partx", "--update", loop);
            await LoopVolumeFixture.RunToolAsync("mkfs.ext4", "-q", loop + "p1");
            var mount = Directory.CreateTempSubdirectory("vd-python-vol-").FullName;
            await LoopVolumeFixture.RunToolAsync("mount", loop + "p1", mount);
            await File.WriteAllTextAsync(Path.Join(mount, "old.txt"), "written by the python driver");
            await LoopVolumeFixture.RunToolAsync("umount", mount);
            Directory.Delete(mount);
            return (await LoopVolumeFixture.RunToolAsync("blkid", "-p", "-s", "UUID", "-o", "value", loop + "p1")).Trim();
        }
        finally
        {
            await LoopVolumeFixture.RunToolAsync("losetup", "-d", loop);
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
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var error = await process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{tool} failed: {error}");
    }
}
