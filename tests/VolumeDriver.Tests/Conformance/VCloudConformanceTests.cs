using VolumeDriver.Tests.Contract;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Conformance;

/// <summary>
/// The vCloud backend driven exactly as kubelet drives it, with the Python driver's PV options
/// (volumeName, storage, busType, busSubType, the pre-2.4 mountoptions spelling), through the vCD
/// double and an emulated node: kubelet's fallbacks, its Not supported cache, and the bind mount.
/// </summary>
public sealed class VCloudConformanceTests
{
    [LifecycleFact]
    public async Task PodLifecycle_WithThePythonDriversPvOptions_AsKubeletRunsIt()
    {
        await using var fixture = await VCloudNodeFixture.StartAsync().WithTimeout();
        var kubelet = new KubeletSimulator(new Dictionary<string, string> { ["VOLUME_DRIVER_CONFIG"] = fixture.ConfigOf("node-1") });
        const string volume = "pv-web-data";
        var options = KubeletSimulator.Options(volume, new Dictionary<string, string>
        {
            ["volumeName"] = "web-data-disk",
            ["size"] = "128Mi",
            ["storage"] = "fast",
            ["busType"] = "6",
            ["busSubType"] = "VirtualSCSI",
            ["mountoptions"] = "relatime",
        });

        Assert.True((await kubelet.CallAsync("init").WithTimeout()).ExpectSuccess().Status!.Capabilities!["attach"]);
        Assert.Equal(KubeletResult.NotSupported, (await kubelet.CallAsync("getvolumename", options).WithTimeout()).Result);
        var device = (await kubelet.CallAsync("attach", options, "node-1").WithTimeout()).ExpectSuccess().Status!.Device!;
        Assert.Equal("web-data-disk", Assert.Single(fixture.Simulator.Disks()).Name);
        Assert.Equal("fast", Assert.Single(fixture.Simulator.Disks()).StorageProfile);
        Assert.True((await kubelet.CallAsync("isattached", options, "node-1").WithTimeout()).ExpectSuccess().Status!.Attached);
        device = (await kubelet.CallAsync("waitforattach", device, options).WithTimeout()).ExpectSuccess().Status!.Device!;

        var deviceMountPath = fixture.MountPath("node-1", volume);
        Directory.CreateDirectory(deviceMountPath);
        (await kubelet.CallAsync("mountdevice", deviceMountPath, device, options).WithTimeout()).ExpectSuccess();
        Assert.Contains("relatime", LoopVolumeFixture.MountOptionsOf(deviceMountPath).Split(','));

        var podDirectory = Path.Join(fixture.Root, "node-1", "kubelet", "pods", "5c1d-0001", "volumes", "answear.com~vcloud", volume);
        Directory.CreateDirectory(podDirectory);
        var mountOptions = KubeletSimulator.Options(volume, extra: new Dictionary<string, string>
        {
            ["kubernetes.io/pod.name"] = "web-0",
            ["kubernetes.io/pod.namespace"] = "default",
            ["kubernetes.io/pod.uid"] = "5c1d-0001",
            ["kubernetes.io/fsGroup"] = "2000",
            ["kubernetes.io/secret/token"] = TestSupport.TestSecrets.Base64(TestSupport.TestSecrets.Token),
        });
        await kubelet.PodUsesTheVolumeThroughKubeletsBindMountAsync(podDirectory, deviceMountPath, mountOptions).WithTimeout();

        (await kubelet.CallAsync("unmountdevice", deviceMountPath).WithTimeout()).ExpectSuccess();
        (await kubelet.CallAsync("detach", volume, "node-1").WithTimeout()).ExpectSuccess();
        Assert.Empty(Assert.Single(fixture.Simulator.Disks()).AttachedVms);
        Assert.False((await kubelet.CallAsync("isattached", "node-1", options).WithTimeout()).ExpectSuccess().Status!.Attached);
        Assert.Equal(1, kubelet.Executions("mount"));
    }
}
