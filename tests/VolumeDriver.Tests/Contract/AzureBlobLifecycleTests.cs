using System.Text.Json;
using Simulators.Arm;
using VolumeDriver.Backends.Azure.Blob;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Contract;

/// <summary>
/// The kubelet sequence for blob disks through the published binary on Azure Stack Hub: VHDs in real
/// Azurite, VMs whose OS disks are VHDs in the ARM double, and emulated nodes whose attached VHDs are
/// real loop devices (keyed by the VHD, so the data follows it from node to node).
/// </summary>
public sealed class AzureBlobLifecycleTests
{
    private static readonly ArmSimulatorOptions Defaults = new();
    private static readonly string Prefix = StorageAccountPool.Prefix(Defaults.SubscriptionId, Defaults.ResourceGroup);

    private static string Options(string volume, string kind) =>
        GoJson.Marshal(new Dictionary<string, string> { ["kubernetes.io/fsType"] = "", ["kubernetes.io/pvOrVolumeName"] = volume, ["kubernetes.io/readwrite"] = "rw", ["size"] = "1Gi", ["kind"] = kind });

    [AzuriteLifecycleTheory]
    [InlineData("shared")]
    [InlineData("dedicated")]
    public async Task KubeletSequence_TheDataFollowsTheVhdFromNodeToNode_ThenDeleteCleansUp(string kind)
    {
        var volume = "pv-" + kind;
        await using var azurite = await AzuriteServer.StartAsync(
            AzureStackTestBed.PoolAccount("Standard_LRS"),
            AzureStackTestBed.PoolAccount("Premium_LRS"),
            StorageAccountPool.DedicatedAccountName(Defaults.SubscriptionId, Defaults.ResourceGroup, volume)).WithTimeout();
        await using var cloud = await AzureTestCloud.StartAsync(["node-1", "node-2"], TimeSpan.FromMilliseconds(200), configure: o => o with
        {
            Vms = ["node-1", "node-2"],
            UnmanagedOsDiskVms = ["node-1", "node-2"],
            BlobEndpointTemplate = azurite.EndpointTemplate,
            StorageAccountKeys = azurite.Keys,
            VhdDiskBytes = _ => 1L << 30,
        }).WithTimeout();
        var options = Options(volume, kind);
        var mount1 = cloud.MountPath("node-1", volume);
        var mount2 = cloud.MountPath("node-2", volume);

        var device = (await cloud.ExpectAsync("node-1", "Success", "attach", options, "node-1").WithTimeout()).Device!;
        Assert.Equal("/dev/disk/azure/scsi1/lun0", device);
        Assert.Equal(device, (await cloud.ExpectAsync("node-1", "Success", "waitforattach", device, options).WithTimeout()).Device);
        await cloud.ExpectAsync("node-1", "Success", "mountdevice", mount1, device, options).WithTimeout();
        await File.WriteAllTextAsync(Path.Join(mount1, "data.txt"), "on a vhd").WithTimeout();
        await cloud.ExpectAsync("node-1", "Success", "unmountdevice", mount1).WithTimeout();
        await cloud.ExpectAsync("node-1", "Success", "detach", volume, "node-1").WithTimeout();
        Assert.Empty(cloud.Arm.VhdAttachments());

        // node-2 never saw the volume: it finds the same VHD from the PV alone.
        var moved = (await cloud.ExpectAsync("node-2", "Success", "attach", options, "node-2").WithTimeout()).Device!;
        await cloud.ExpectAsync("node-2", "Success", "waitforattach", moved, options).WithTimeout();
        await cloud.ExpectAsync("node-2", "Success", "mountdevice", mount2, moved, options).WithTimeout();
        Assert.Equal("on a vhd", await File.ReadAllTextAsync(Path.Join(mount2, "data.txt")).WithTimeout());
        await cloud.ExpectAsync("node-2", "Success", "unmountdevice", mount2).WithTimeout();
        await cloud.ExpectAsync("node-2", "Success", "detach", volume, "node-2").WithTimeout();
        await cloud.ExpectAsync("node-2", "Success", "delete", volume).WithTimeout();

        Assert.Empty(cloud.Arm.VhdAttachments());

        // The storage keys (from listKeys) never reach a log.
        var logs = string.Join('\n', Directory.EnumerateFiles(cloud.Directory, "*.log", SearchOption.AllDirectories).Select(File.ReadAllText));
        Assert.NotEmpty(logs);
        Assert.All(azurite.Keys.Values, key => Assert.DoesNotContain(key, logs, StringComparison.Ordinal));
        Assert.Equal(kind == "dedicated" ? 0 : 2, cloud.Arm.StorageAccounts().Count(a => kind == "shared" || a.Name.StartsWith("vdd", StringComparison.Ordinal)));
    }

    [AzuriteLifecycleFact]
    public async Task MigrateVhd_RefusesTheAttachedVhd_ThenMovesItsDataToAManagedDiskThePvUsesOnAnotherNode_LeavingTheVhd()
    {
        const string volume = "pv-mig";
        var standard = AzureStackTestBed.PoolAccount("Standard_LRS");
        await using var azurite = await AzuriteServer.StartAsync(standard, AzureStackTestBed.PoolAccount("Premium_LRS")).WithTimeout();
        await using var cloud = await AzureTestCloud.StartAsync(["legacy-1", "node-2"], TimeSpan.FromMilliseconds(200), configure: o => o with
        {
            Vms = ["legacy-1", "node-2"],
            UnmanagedOsDiskVms = ["legacy-1"],
            BlobEndpointTemplate = azurite.EndpointTemplate,
            StorageAccountKeys = azurite.Keys,
            VhdDiskBytes = _ => 1L << 30,
        }).WithTimeout();
        var blobOptions = Options(volume, "shared");
        var oldMount = cloud.MountPath("legacy-1", volume);

        var device = (await cloud.ExpectAsync("legacy-1", "Success", "attach", blobOptions, "legacy-1").WithTimeout()).Device!;
        await cloud.ExpectAsync("legacy-1", "Success", "waitforattach", device, blobOptions).WithTimeout();
        await cloud.ExpectAsync("legacy-1", "Success", "mountdevice", oldMount, device, blobOptions).WithTimeout();
        await File.WriteAllTextAsync(Path.Join(oldMount, "data.txt"), "from the vhd").WithTimeout();
        var vhd = cloud.Arm.VhdAttachments().Single().VhdUri;

        // Attached (leased): refused, nothing created.
        var busy = await cloud.RunAsync("node-2", "migrate-vhd", vhd).WithTimeout();
        Assert.Equal((1, "Failure"), (busy.ExitCode, busy.Status.Status));
        Assert.Contains("is leased", busy.Status.Message, StringComparison.Ordinal);
        Assert.Empty(cloud.Arm.Disks());

        await cloud.ExpectAsync("legacy-1", "Success", "unmountdevice", oldMount).WithTimeout();
        await cloud.ExpectAsync("legacy-1", "Success", "detach", volume, "legacy-1").WithTimeout();

        var migrated = await cloud.RunAsync("node-2", "migrate-vhd", vhd).WithTimeout();
        var again = await cloud.RunAsync("node-2", "migrate-vhd", vhd).WithTimeout();

        Assert.Equal(0, migrated.ExitCode);
        using var reply = JsonDocument.Parse(migrated.Text);
        var root = reply.RootElement;
        Assert.Equal(("Success", true, 1L << 30), (root.GetProperty("status").GetString(), root.GetProperty("created").GetBoolean(), root.GetProperty("sizeBytes").GetInt64()));
        var pvOptions = root.GetProperty("pvOptions");
        var diskUri = pvOptions.GetProperty("diskURI").GetString()!;
        Assert.Equal(("managed", volume), (pvOptions.GetProperty("kind").GetString(), pvOptions.GetProperty("diskName").GetString()));
        Assert.EndsWith("/providers/Microsoft.Compute/disks/" + volume, diskUri, StringComparison.Ordinal);
        using (var rerun = JsonDocument.Parse(again.Text))
        {
            Assert.Equal((0, false, diskUri), (again.ExitCode, rerun.RootElement.GetProperty("created").GetBoolean(), rerun.RootElement.GetProperty("pvOptions").GetProperty("diskURI").GetString()));
        }

        // The re-created PV: the same name, the options migrate-vhd printed, on a node with a managed OS disk.
        var managedOptions = GoJson.Marshal(new Dictionary<string, string>
        {
            ["kubernetes.io/fsType"] = "",
            ["kubernetes.io/pvOrVolumeName"] = volume,
            ["kubernetes.io/readwrite"] = "rw",
            ["kind"] = "managed",
            ["diskName"] = volume,
            ["diskURI"] = diskUri,
        });
        var newMount = cloud.MountPath("node-2", volume);
        var managedDevice = (await cloud.ExpectAsync("node-2", "Success", "attach", managedOptions, "node-2").WithTimeout()).Device!;
        await cloud.ExpectAsync("node-2", "Success", "waitforattach", managedDevice, managedOptions).WithTimeout();
        await cloud.ExpectAsync("node-2", "Success", "mountdevice", newMount, managedDevice, managedOptions).WithTimeout();
        Assert.Equal("from the vhd", await File.ReadAllTextAsync(Path.Join(newMount, "data.txt")).WithTimeout());
        await cloud.ExpectAsync("node-2", "Success", "unmountdevice", newMount).WithTimeout();
        await cloud.ExpectAsync("node-2", "Success", "detach", volume, "node-2").WithTimeout();

        // The VHD is still there, unleased, for the operator to delete once satisfied.
        var store = azurite.Store(standard);
        var (_, container, blob) = BlobDiskProvisioner.Parts(new Uri(vhd));
        Assert.False((await store.GetPropertiesAsync(container, blob, CancellationToken.None).WithTimeout())!.Leased);
    }
}
