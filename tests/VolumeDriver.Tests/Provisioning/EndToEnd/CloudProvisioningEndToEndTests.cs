using Simulators.Kubernetes;
using VolumeDriver.Tests.Contract;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Provisioning.EndToEnd;

/// <summary>
/// The provisioner of the published binary on the Azure and vCloud doubles: a claim gets a disk of
/// the rounded size and a PV, kubelet's verbs on an emulated node attach, mount and keep data on it,
/// and deleting the claim removes the disk and then the PV.
/// </summary>
public sealed class CloudProvisioningEndToEndTests
{
    [ProvisionerFact]
    public async Task Azure_a_claim_gets_a_managed_disk_of_whole_GiB_that_mounts_and_goes_with_its_claim()
    {
        await using var cloud = await AzureTestCloud.StartAsync(["node-1"], TimeSpan.FromMilliseconds(100)).WithTimeout();
        await using var bed = await ProvisioningTestBed.StartAsync(["replica-a"], node: "node-1").WithTimeout();
        const string driver = "azure/volume-driver";
        bed.CreateStorageClass("premium", driver, new Dictionary<string, string> { ["skuname"] = "Premium_LRS", ["cachingmode"] = "ReadOnly", ["fsType"] = "ext4" });
        bed.StartProvisioner("replica-a", driver, new Dictionary<string, string>
        {
            ["VOLUME_DRIVER_CONFIG"] = Path.Join(cloud.Directory, "node-1", "config.yaml"),
            ["AZURE_ENVIRONMENT_FILEPATH"] = cloud.Arm.WriteEnvironmentFile(),
        });

        var claim = bed.CreateClaim("data", "premium", "1500Mi");
        var pv = await LoopProvisioningEndToEndTests.WaitForBoundAsync(bed, "data").WithTimeout();

        var name = "pvc-" + (string)claim["metadata"]!["uid"]!;
        Assert.Equal(name, (string?)pv["metadata"]!["name"]);
        Assert.Equal(2L << 30, (long)Quantity.Bytes((string?)pv["spec"]!["capacity"]!["storage"]));
        Assert.Equal("Premium_LRS", (string?)pv["spec"]!["flexVolume"]!["options"]!["skuname"]);
        var disk = Assert.Single(cloud.Arm.Disks());
        Assert.Equal((name, 2, "Premium_LRS"), (disk.Name, disk.SizeGb, disk.Sku));
        Assert.Null(disk.AttachedTo);

        var options = LoopProvisioningEndToEndTests.KubeletOptions(pv);
        var mount = cloud.MountPath("node-1", name);
        var device = (await cloud.ExpectAsync("node-1", "Success", "attach", options, "node-1").WithTimeout()).Device!;
        await cloud.ExpectAsync("node-1", "Success", "waitforattach", device, options).WithTimeout();
        await cloud.ExpectAsync("node-1", "Success", "mountdevice", mount, device, options).WithTimeout();
        await File.WriteAllTextAsync(Path.Join(mount, "data.txt"), "on a provisioned disk").WithTimeout();
        await cloud.ExpectAsync("node-1", "Success", "unmountdevice", mount).WithTimeout();
        await cloud.ExpectAsync("node-1", "Success", "mountdevice", mount, device, options).WithTimeout();
        Assert.Equal("on a provisioned disk", await File.ReadAllTextAsync(Path.Join(mount, "data.txt")).WithTimeout());
        await cloud.ExpectAsync("node-1", "Success", "unmountdevice", mount).WithTimeout();
        await cloud.ExpectAsync("node-1", "Success", "detach", name, "node-1").WithTimeout();

        bed.Api.Delete(KubernetesResource.PersistentVolumeClaims, ProvisioningTestBed.ClaimNamespace, "data");
        await bed.WaitForVolumeGoneAsync(name).WithTimeout();
        Assert.Empty(cloud.Arm.Disks());
        Assert.DoesNotContain(bed.Api.RequestLog, r => r.Status == 403);
    }

    [ProvisionerFact]
    public async Task Azure_a_WaitForFirstConsumer_claim_gets_its_disk_in_the_selected_nodes_zone_and_a_PV_bound_to_that_zone()
    {
        await using var cloud = await AzureTestCloud.StartAsync(["node-1"], TimeSpan.FromMilliseconds(100)).WithTimeout();
        var zoneLabel = cloud.Arm.Options.Location + "-2";
        await using var bed = await ProvisioningTestBed.StartAsync(["replica-a"], node: "node-1", region: cloud.Arm.Options.Location, zone: zoneLabel).WithTimeout();
        const string driver = "azure/volume-driver";
        bed.CreateStorageClass("zonal", driver, new Dictionary<string, string> { ["skuname"] = "Premium_LRS", ["fsType"] = "ext4" }, bindingMode: "WaitForFirstConsumer");
        bed.StartProvisioner("replica-a", driver, new Dictionary<string, string>
        {
            ["VOLUME_DRIVER_CONFIG"] = Path.Join(cloud.Directory, "node-1", "config.yaml"),
            ["AZURE_ENVIRONMENT_FILEPATH"] = cloud.Arm.WriteEnvironmentFile(),
        });

        bed.CreateClaim("zonal", "zonal", "1Gi");

        // The scheduler picks node-1 for the first pod; until then the PV controller does not ask the provisioner.
        bed.Api.Patch(KubernetesResource.PersistentVolumeClaims, ProvisioningTestBed.ClaimNamespace, "zonal", new System.Text.Json.Nodes.JsonObject
        {
            ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["annotations"] = new System.Text.Json.Nodes.JsonObject { ["volume.kubernetes.io/selected-node"] = "node-1" } },
        });
        var pv = await LoopProvisioningEndToEndTests.WaitForBoundAsync(bed, "zonal").WithTimeout();

        Assert.Equal("2", (string?)pv["spec"]!["flexVolume"]!["options"]!["zones"]);
        var requirement = pv["spec"]!["nodeAffinity"]!["required"]!["nodeSelectorTerms"]![0]!["matchExpressions"]![0]!;
        Assert.Equal("topology.kubernetes.io/zone", (string?)requirement["key"]);
        Assert.Equal("In", (string?)requirement["operator"]);
        Assert.Equal($"[\"{zoneLabel}\"]", requirement["values"]!.ToJsonString());
        Assert.Single(cloud.Arm.Disks());
        Assert.Contains(bed.Api.RequestLog, r => r is { Method: "GET", Path: "/api/v1/nodes/node-1", Status: 200 });
        Assert.DoesNotContain(bed.Api.RequestLog, r => r.Status == 403);
    }

    [ProvisionerFact]
    public async Task VCloud_a_claim_gets_an_independent_disk_on_its_storage_profile_that_mounts_and_goes_with_its_claim()
    {
        await using var vcloud = await VCloudNodeFixture.StartAsync().WithTimeout();
        await using var bed = await ProvisioningTestBed.StartAsync(["replica-a"], node: "node-1").WithTimeout();
        const string driver = "answear.com/vcloud";
        bed.CreateStorageClass("t1", driver, new Dictionary<string, string> { ["storage"] = "T1", ["busType"] = "6", ["busSubType"] = "VirtualSCSI", ["fsType"] = "ext4" });
        bed.StartProvisioner("replica-a", driver, new Dictionary<string, string> { ["VOLUME_DRIVER_CONFIG"] = vcloud.ConfigOf("node-1") });

        var claim = bed.CreateClaim("data", "t1", "100Mi");
        var pv = await LoopProvisioningEndToEndTests.WaitForBoundAsync(bed, "data").WithTimeout();

        var name = "pvc-" + (string)claim["metadata"]!["uid"]!;
        var disk = Assert.Single(vcloud.Simulator.Disks());
        Assert.Equal((name, 100L, "T1"), (disk.Name, disk.SizeMb, disk.StorageProfile));
        Assert.Equal(100L << 20, (long)Quantity.Bytes((string?)pv["spec"]!["capacity"]!["storage"]));

        var options = LoopProvisioningEndToEndTests.KubeletOptions(pv);
        var mount = vcloud.MountPath("node-1", name);
        var device = (await vcloud.ExpectAsync("node-1", "Success", "attach", options, "node-1").WithTimeout()).Device!;
        await vcloud.ExpectAsync("node-1", "Success", "waitforattach", device, options).WithTimeout();
        await vcloud.ExpectAsync("node-1", "Success", "mountdevice", mount, device, options).WithTimeout();
        await File.WriteAllTextAsync(Path.Join(mount, "data.txt"), "on vcloud").WithTimeout();
        await vcloud.ExpectAsync("node-1", "Success", "unmountdevice", mount).WithTimeout();
        await vcloud.ExpectAsync("node-1", "Success", "mountdevice", mount, device, options).WithTimeout();
        Assert.Equal("on vcloud", await File.ReadAllTextAsync(Path.Join(mount, "data.txt")).WithTimeout());
        await vcloud.ExpectAsync("node-1", "Success", "unmountdevice", mount).WithTimeout();
        await vcloud.ExpectAsync("node-1", "Success", "detach", name, "node-1").WithTimeout();

        bed.Api.Delete(KubernetesResource.PersistentVolumeClaims, ProvisioningTestBed.ClaimNamespace, "data");
        await bed.WaitForVolumeGoneAsync(name).WithTimeout();
        Assert.Empty(vcloud.Simulator.Disks());
        Assert.DoesNotContain(bed.Api.RequestLog, r => r.Status == 403);
    }
}
