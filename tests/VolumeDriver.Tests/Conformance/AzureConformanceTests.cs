using VolumeDriver.Tests.Contract;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Conformance;

/// <summary>
/// The Azure managed-disk backend driven exactly as kubelet drives it, with the in-tree azure_dd PV
/// options (diskName and diskURI of an existing disk, cachingmode, fsType), through the ARM double
/// and an emulated node: kubelet's fallbacks, its Not supported cache, the bind mount, both isattached
/// argument orders, detach by PV name, and expandvolume with kubelet's byte counts.
/// </summary>
public sealed class AzureConformanceTests
{
    [LifecycleFact]
    public async Task PodLifecycle_OfAnExistingDiskByUri_AsKubeletRunsIt()
    {
        await using var cloud = await AzureTestCloud.StartAsync(["node-1"], TimeSpan.FromMilliseconds(100)).WithTimeout();
        cloud.Arm.SeedDisk("web-data", 1);
        var diskUri = $"/subscriptions/{cloud.Arm.Options.SubscriptionId}/resourceGroups/{cloud.Arm.Options.ResourceGroup}/providers/Microsoft.Compute/disks/web-data";
        var kubelet = new KubeletSimulator(new Dictionary<string, string>
        {
            ["VOLUME_DRIVER_CONFIG"] = Path.Join(cloud.Directory, "node-1", "config.yaml"),
            ["AZURE_ENVIRONMENT_FILEPATH"] = cloud.Arm.WriteEnvironmentFile(),
        });
        const string volume = "pv-web-data";
        var options = KubeletSimulator.Options(volume, new Dictionary<string, string>
        {
            ["diskName"] = "web-data",
            ["diskURI"] = diskUri,
            ["cachingmode"] = "ReadOnly",
            ["kind"] = "Managed",
        }, fsType: "ext4");

        Assert.True((await kubelet.CallAsync("init").WithTimeout()).ExpectSuccess().Status!.Capabilities!["attach"]);
        Assert.Equal(KubeletResult.NotSupported, (await kubelet.CallAsync("getvolumename", options).WithTimeout()).Result);
        var device = (await kubelet.CallAsync("attach", options, "node-1").WithTimeout()).ExpectSuccess().Status!.Device!;
        Assert.Equal("/dev/disk/azure/scsi1/lun0", device);
        Assert.Equal(("node-1", 0), (cloud.Arm.Disks().Single().AttachedTo, cloud.Arm.Disks().Single().Lun));
        Assert.True((await kubelet.CallAsync("isattached", options, "node-1").WithTimeout()).ExpectSuccess().Status!.Attached);
        Assert.True((await kubelet.CallAsync("isattached", "node-1", options).WithTimeout()).ExpectSuccess().Status!.Attached);
        Assert.Equal(device, (await kubelet.CallAsync("waitforattach", device, options).WithTimeout()).ExpectSuccess().Status!.Device);

        var deviceMountPath = cloud.MountPath("node-1", volume);
        Directory.CreateDirectory(deviceMountPath);
        (await kubelet.CallAsync("mountdevice", deviceMountPath, device, options).WithTimeout()).ExpectSuccess();
        Assert.Equal("ext4", LoopVolumeFixture.FilesystemTypeOf(deviceMountPath));

        var podDirectory = Path.Join(cloud.Directory, "node-1", "kubelet", "pods", "7a2e-0001", "volumes", "azure~volume-driver", volume);
        Directory.CreateDirectory(podDirectory);
        var mountOptions = KubeletSimulator.Options(volume, extra: new Dictionary<string, string>
        {
            ["kubernetes.io/pod.name"] = "web-0",
            ["kubernetes.io/pod.namespace"] = "default",
            ["kubernetes.io/pod.uid"] = "7a2e-0001",
            ["kubernetes.io/mounterArgs.FsGroup"] = "2000",
            ["kubernetes.io/serviceAccount.name"] = "default",
        });
        await kubelet.PodUsesTheVolumeThroughKubeletsBindMountAsync(podDirectory, deviceMountPath, mountOptions).WithTimeout();

        // kubelet's resize: expandvolume <json> <deviceMountPath> <newSizeBytes> <oldSizeBytes>, to 2 GiB.
        (await kubelet.CallAsync("expandvolume", options, deviceMountPath, (2L << 30).ToString(System.Globalization.CultureInfo.InvariantCulture), (1L << 30).ToString(System.Globalization.CultureInfo.InvariantCulture)).WithTimeout()).ExpectSuccess();
        Assert.Equal(2, cloud.Arm.Disks().Single().SizeGb);

        (await kubelet.CallAsync("unmountdevice", deviceMountPath).WithTimeout()).ExpectSuccess();
        (await kubelet.CallAsync("detach", volume, "node-1").WithTimeout()).ExpectSuccess();
        Assert.Null(cloud.Arm.Disks().Single().AttachedTo);
        Assert.False((await kubelet.CallAsync("isattached", "node-1", options).WithTimeout()).ExpectSuccess().Status!.Attached);
        Assert.Equal(1, kubelet.Executions("mount"));
        Assert.Equal(1, kubelet.Executions("unmount"));
    }
}
