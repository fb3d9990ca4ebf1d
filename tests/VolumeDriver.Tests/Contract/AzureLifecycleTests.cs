using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Contract;

/// <summary>
/// The kubelet sequence for Azure managed disks through the published binary, against the ARM
/// double with emulated nodes whose data disks are real loop devices at their LUN.
/// </summary>
public sealed class AzureLifecycleTests
{
    [LifecycleFact]
    public async Task KubeletSequence_FindsTheDiskByLun_AndKeepsTheDataAcrossDetachAndAttach()
    {
        await using var cloud = await AzureTestCloud.StartAsync(["node-1"], TimeSpan.FromMilliseconds(100)).WithTimeout();
        var options = AzureTestCloud.Options("pv-az");
        var mount = cloud.MountPath("node-1", "pv-az");

        var device = (await cloud.ExpectAsync("node-1", "Success", "attach", options, "node-1").WithTimeout()).Device!;
        Assert.Equal("/dev/disk/azure/scsi1/lun0", device);
        Assert.True((await cloud.ExpectAsync("node-1", "Success", "isattached", options, "node-1").WithTimeout()).Attached);
        Assert.Equal(device, (await cloud.ExpectAsync("node-1", "Success", "waitforattach", device, options).WithTimeout()).Device);
        await cloud.ExpectAsync("node-1", "Success", "mountdevice", mount, device, options).WithTimeout();
        await File.WriteAllTextAsync(Path.Join(mount, "data.txt"), "on azure").WithTimeout();

        // A mounted disk cannot be detached: the emulated guest refuses, and the Failure says so.
        await cloud.ExpectAsync("node-1", "Failure", "detach", "pv-az", "node-1").WithTimeout();
        await cloud.ExpectAsync("node-1", "Success", "unmountdevice", mount).WithTimeout();
        await cloud.ExpectAsync("node-1", "Success", "detach", "pv-az", "node-1").WithTimeout();
        Assert.False((await cloud.ExpectAsync("node-1", "Success", "isattached", options, "node-1").WithTimeout()).Attached);

        var again = (await cloud.ExpectAsync("node-1", "Success", "attach", options, "node-1").WithTimeout()).Device!;
        await cloud.ExpectAsync("node-1", "Success", "waitforattach", again, options).WithTimeout();
        await cloud.ExpectAsync("node-1", "Success", "mountdevice", mount, again, options).WithTimeout();
        Assert.Equal("on azure", await File.ReadAllTextAsync(Path.Join(mount, "data.txt")).WithTimeout());
        await cloud.ExpectAsync("node-1", "Success", "unmountdevice", mount).WithTimeout();
        await cloud.ExpectAsync("node-1", "Success", "detach", "pv-az", "node-1").WithTimeout();
        await cloud.ExpectAsync("node-1", "Success", "delete", "pv-az").WithTimeout();
        Assert.Empty(cloud.Arm.Disks());

        // One line per ARM request in the driver's own log, with ARM's request id.
        var log = await File.ReadAllTextAsync(Path.Join(cloud.Directory, "node-1", "driver.log")).WithTimeout();
        Assert.Matches(@"Azure PUT /subscriptions/[^ ]+/virtualMachines/node-1 -> 200 in \d+ ms \(request id [0-9a-f-]{36}\)", log);
    }

    /// <summary>
    /// The VMs of clusters that use managed identity (useManagedIdentityExtension): GET answers identity
    /// (with userAssignedIdentities for a user-assigned one), zones, plan, etag, systemData and the
    /// extensions in resources. Azure.ResourceManager.Compute 1.2.0 read identity with reflection-based
    /// JSON, which this build turns off: attach and detach answered an internal error, and isattached
    /// said false for an attached disk.
    /// </summary>
    [LifecycleTheory]
    [InlineData("SystemAssigned")]
    [InlineData("UserAssigned")]
    [InlineData("SystemAssigned, UserAssigned")]
    public async Task KubeletSequence_OnAVmWithAManagedIdentity_AttachesFindsAndDetaches(string identity)
    {
        await using var cloud = await AzureTestCloud.StartAsync(["node-1"], TimeSpan.FromMilliseconds(100), configure: o => o with { VmIdentities = new Dictionary<string, string> { ["node-1"] = identity } }).WithTimeout();
        var options = AzureTestCloud.Options("pv-mi");
        var mount = cloud.MountPath("node-1", "pv-mi");

        var device = (await cloud.ExpectAsync("node-1", "Success", "attach", options, "node-1").WithTimeout()).Device!;
        Assert.Equal("/dev/disk/azure/scsi1/lun0", device);
        Assert.True((await cloud.ExpectAsync("node-1", "Success", "isattached", options, "node-1").WithTimeout()).Attached);
        Assert.Equal(device, (await cloud.ExpectAsync("node-1", "Success", "waitforattach", device, options).WithTimeout()).Device);
        await cloud.ExpectAsync("node-1", "Success", "mountdevice", mount, device, options).WithTimeout();
        await File.WriteAllTextAsync(Path.Join(mount, "data.txt"), identity).WithTimeout();
        await cloud.ExpectAsync("node-1", "Success", "unmountdevice", mount).WithTimeout();
        await cloud.ExpectAsync("node-1", "Success", "detach", "pv-mi", "node-1").WithTimeout();
        Assert.False((await cloud.ExpectAsync("node-1", "Success", "isattached", options, "node-1").WithTimeout()).Attached);
        Assert.Null(cloud.Arm.Disks().Single().AttachedTo);
        await cloud.ExpectAsync("node-1", "Success", "delete", "pv-mi").WithTimeout();
        Assert.Empty(cloud.Arm.Disks());
    }

    [LifecycleFact]
    public async Task Drain_TheNewNodeIsRefusedUntilTheOldOneDetaches_ThenGetsTheData()
    {
        await using var cloud = await AzureTestCloud.StartAsync(["node-1", "node-2"], TimeSpan.FromMilliseconds(100)).WithTimeout();
        var options = AzureTestCloud.Options("pv-move");
        var oldMount = cloud.MountPath("node-1", "pv-move");
        var newMount = cloud.MountPath("node-2", "pv-move");
        var device = (await cloud.ExpectAsync("node-1", "Success", "attach", options, "node-1").WithTimeout()).Device!;
        await cloud.ExpectAsync("node-1", "Success", "waitforattach", device, options).WithTimeout();
        await cloud.ExpectAsync("node-1", "Success", "mountdevice", oldMount, device, options).WithTimeout();
        await File.WriteAllTextAsync(Path.Join(oldMount, "data.txt"), "moved").WithTimeout();

        var early = await cloud.ExpectAsync("node-2", "Failure", "attach", options, "node-2").WithTimeout();
        Assert.Contains("VM 'node-1'", early.Message, StringComparison.Ordinal);

        await cloud.ExpectAsync("node-1", "Success", "unmountdevice", oldMount).WithTimeout();
        await cloud.ExpectAsync("node-1", "Success", "detach", "pv-move", "node-1").WithTimeout();
        var moved = (await cloud.ExpectAsync("node-2", "Success", "attach", options, "node-2").WithTimeout()).Device!;
        await cloud.ExpectAsync("node-2", "Success", "waitforattach", moved, options).WithTimeout();
        await cloud.ExpectAsync("node-2", "Success", "mountdevice", newMount, moved, options).WithTimeout();
        Assert.Equal("moved", await File.ReadAllTextAsync(Path.Join(newMount, "data.txt")).WithTimeout());
        await cloud.ExpectAsync("node-2", "Success", "unmountdevice", newMount).WithTimeout();
        await cloud.ExpectAsync("node-2", "Success", "detach", "pv-move", "node-2").WithTimeout();
    }

    [LifecycleFact]
    public async Task SixteenConcurrentAttaches_DistinctLuns_FoundWhereTheVmSays_InAFewVmUpdates()
    {
        await using var cloud = await AzureTestCloud.StartAsync(["node-1"], TimeSpan.FromMilliseconds(300)).WithTimeout();
        foreach (var i in Enumerable.Range(0, 16))
        {
            // Provisioned earlier: the attaches race for the VM only.
            cloud.Arm.SeedDisk($"pv-b{i:00}", 1);
        }

        var runs = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => cloud.RunAsync("node-1", "attach", AzureTestCloud.Options($"pv-b{i:00}"), "node-1"))).WithTimeout(TimeSpan.FromMinutes(5));

        Assert.All(runs, run => Assert.True(run.Status.Status == "Success", run.Text));
        var devices = runs.Select(r => r.Status.Device!).ToList();
        Assert.Equal(16, devices.Distinct().Count());
        var updates = cloud.Arm.VmUpdates;
        foreach (var i in Enumerable.Range(0, 16))
        {
            var lun = cloud.Arm.Disks().Single(d => d.Name == $"pv-b{i:00}").Lun;
            Assert.Equal("/dev/disk/azure/scsi1/lun" + lun, devices[i]);
            Assert.Equal(devices[i], (await cloud.ExpectAsync("node-1", "Success", "waitforattach", devices[i], AzureTestCloud.Options($"pv-b{i:00}")).WithTimeout()).Device);
        }

        Assert.True(updates <= 4, $"16 attaches took {updates} VM updates");
        await cloud.Arm.WaitForIdleAsync(TimeSpan.FromSeconds(30)).WithTimeout();

        // Draining the node: 16 detaches at once meet in the same queue.
        var detaches = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => cloud.RunAsync("node-1", "detach", $"pv-b{i:00}", "node-1"))).WithTimeout(TimeSpan.FromMinutes(5));

        Assert.All(detaches, run => Assert.True(run.Status.Status == "Success", run.Text));
        Assert.All(cloud.Arm.Disks(), d => Assert.Null(d.AttachedTo));
        var detachUpdates = cloud.Arm.VmUpdates - updates;
        Assert.True(detachUpdates <= 4, $"16 detaches took {detachUpdates} VM updates");
    }
}
