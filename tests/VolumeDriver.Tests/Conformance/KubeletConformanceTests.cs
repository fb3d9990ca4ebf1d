using System.Text;
using VolumeDriver.Tests.Contract;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Conformance;

/// <summary>
/// The driver driven exactly as kubelet drives it (reference/flexvolume.md §5 and §9), against the
/// loop backend: the node-side sequence of an attachable plugin with the attach/detach controller
/// disabled, kubelet's own fallbacks for the verbs the driver leaves to it (the bind mount into the
/// pod), the Not supported cache, and kubelet-shaped options (sorted keys, \u003c escapes, the
/// fsGroup keys of before and after 1.15, base64 secrets, unicode and 100 KiB values).
/// </summary>
public sealed class KubeletConformanceTests
{
    private const string Node = LoopVolumeFixture.NodeName;

    [LifecycleFact]
    public async Task PodLifecycle_AsKubeletRunsIt_MountsThroughTheBindFallbackAndTearsDown()
    {
        await using var fixture = new LoopVolumeFixture();
        var kubelet = new KubeletSimulator(fixture.Environment);
        const string volume = "pv-conformance";
        var options = KubeletSimulator.Options(volume, new Dictionary<string, string> { ["size"] = "128Mi", ["mountOptions"] = "noatime" });

        // Probe: init must succeed with boolean capabilities; attach:true makes the plugin attachable.
        var init = (await kubelet.CallAsync("init").WithTimeout()).ExpectSuccess();
        Assert.True(init.Status!.Capabilities!["attach"]);

        // The unique volume name: getvolumename is Not supported, cached, and never run again.
        Assert.Equal(KubeletResult.NotSupported, (await kubelet.CallAsync("getvolumename", options).WithTimeout()).Result);
        Assert.Equal(KubeletResult.NotSupported, (await kubelet.CallAsync("getvolumename", options).WithTimeout()).Result);
        Assert.Equal(1, kubelet.Executions("getvolumename"));

        var device = (await kubelet.CallAsync("attach", options, Node).WithTimeout()).ExpectSuccess().Status!.Device!;
        Assert.True((await kubelet.CallAsync("isattached", options, Node).WithTimeout()).ExpectSuccess().Status!.Attached);
        device = (await kubelet.CallAsync("waitforattach", device, options).WithTimeout()).ExpectSuccess().Status!.Device!;

        // kubelet creates the device mount path (0750) and calls mountdevice.
        var deviceMountPath = fixture.MountPath(volume);
        Directory.CreateDirectory(deviceMountPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        (await kubelet.CallAsync("mountdevice", deviceMountPath, device, options).WithTimeout()).ExpectSuccess();
        Assert.Contains("noatime", LoopVolumeFixture.MountOptionsOf(deviceMountPath).Split(','));

        // mount gets the pod keys, the fsGroup key and secrets; Not supported makes kubelet bind-mount.
        var podDirectory = Path.Join(fixture.Root, "kubelet", "pods", "8a6f2c1e-0000-4000-8000-000000000001", "volumes", "example.com~volume-driver", volume);
        Directory.CreateDirectory(podDirectory);
        var mountOptions = KubeletSimulator.Options(volume, extra: new Dictionary<string, string>
        {
            ["kubernetes.io/pod.name"] = "web-0",
            ["kubernetes.io/pod.namespace"] = "default",
            ["kubernetes.io/pod.uid"] = "8a6f2c1e-0000-4000-8000-000000000001",
            ["kubernetes.io/serviceAccount.name"] = "default",
            ["kubernetes.io/mounterArgs.FsGroup"] = "2000",
            ["kubernetes.io/secret/token"] = TestSupport.TestSecrets.Base64(TestSupport.TestSecrets.Token),
        });
        await kubelet.PodUsesTheVolumeThroughKubeletsBindMountAsync(podDirectory, deviceMountPath, mountOptions).WithTimeout();

        (await kubelet.CallAsync("unmountdevice", deviceMountPath).WithTimeout()).ExpectSuccess();
        Assert.False(LoopVolumeFixture.IsMountPoint(deviceMountPath));
        (await kubelet.CallAsync("detach", volume, Node).WithTimeout()).ExpectSuccess();
        Assert.False((await kubelet.CallAsync("isattached", Node, options).WithTimeout()).ExpectSuccess().Status!.Attached);

        // Cached verbs stay cached; nothing the driver logged holds the secret.
        Assert.Equal(KubeletResult.NotSupported, (await kubelet.CallAsync("mount", podDirectory, mountOptions).WithTimeout()).Result);
        Assert.Equal(1, kubelet.Executions("mount"));
        TestSupport.TestSecrets.AssertAbsentFrom(File.ReadAllText(fixture.LogFile), fixture.LogFile);
        await fixture.ExpectAsync("Success", "delete", volume).WithTimeout();
    }

    [LifecycleFact]
    public async Task FsGroupKeys_BeforeAndAfter115_AreBothAcceptedAndChecked()
    {
        await using var fixture = new LoopVolumeFixture();
        var kubelet = new KubeletSimulator(fixture.Environment);
        foreach (var key in new[] { "kubernetes.io/fsGroup", "kubernetes.io/mounterArgs.FsGroup" })
        {
            var good = KubeletSimulator.Options("pv-fsgroup", extra: new Dictionary<string, string> { [key] = "2000" });
            Assert.False((await kubelet.CallAsync("isattached", good, Node).WithTimeout()).ExpectSuccess().Status!.Attached);

            var bad = KubeletSimulator.Options("pv-fsgroup", extra: new Dictionary<string, string> { [key] = "wheel" });
            var outcome = await kubelet.CallAsync("isattached", bad, Node).WithTimeout();
            Assert.Equal(KubeletResult.Error, outcome.Result);
            Assert.Contains(key, outcome.Status!.Message, StringComparison.Ordinal);
        }
    }

    [LifecycleFact("mkfs.xfs")]
    public async Task UserOptions_OverrideKubeletsBaseKeys()
    {
        await using var fixture = new LoopVolumeFixture();
        var kubelet = new KubeletSimulator(fixture.Environment);
        const string volume = "pv-override";
        var options = KubeletSimulator.Options(volume, new Dictionary<string, string> { ["size"] = "320Mi", ["kubernetes.io/fsType"] = "xfs" }, fsType: "ext4");
        Assert.Contains("\"kubernetes.io/fsType\":\"xfs\"", options, StringComparison.Ordinal);

        var device = (await kubelet.CallAsync("attach", options, Node).WithTimeout()).ExpectSuccess().Status!.Device!;
        (await kubelet.CallAsync("mountdevice", fixture.MountPath(volume), device, options).WithTimeout()).ExpectSuccess();
        Assert.Equal("xfs", (await LoopVolumeFixture.RunToolAsync("blkid", "-p", "-o", "value", "-s", "TYPE", device).WithTimeout()).Trim());
        (await kubelet.CallAsync("unmountdevice", fixture.MountPath(volume)).WithTimeout()).ExpectSuccess();
        (await kubelet.CallAsync("detach", volume, Node).WithTimeout()).ExpectSuccess();
    }

    [LifecycleFact]
    public async Task UnicodeAndHtmlCharacters_InAVolumeName_GiveAParsableFailureNamingTheOption()
    {
        await using var fixture = new LoopVolumeFixture();
        var kubelet = new KubeletSimulator(fixture.Environment);
        foreach (var name in new[] { "日本語-volume", "emoji-🙂", "line\u2028separator", "<script>&amp;" })
        {
            var outcome = await kubelet.CallAsync("attach", KubeletSimulator.Options(name, new Dictionary<string, string> { ["size"] = "64Mi" }), Node).WithTimeout();
            Assert.Equal(KubeletResult.Error, outcome.Result);
            Assert.Equal("Failure", outcome.Status!.Status);
            Assert.Contains("kubernetes.io/pvOrVolumeName", outcome.Status.Message, StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(fixture.ImageDirectory) && Directory.EnumerateFileSystemEntries(fixture.ImageDirectory).Any());
    }

    [LifecycleFact]
    public async Task UnicodeValues_InOptionsTheDriverIgnores_AreCarriedThrough()
    {
        await using var fixture = new LoopVolumeFixture();
        var kubelet = new KubeletSimulator(fixture.Environment);
        var options = KubeletSimulator.Options("pv-unicode", extra: new Dictionary<string, string>
        {
            ["kubernetes.io/pod.name"] = "名前-🙂-\u2028-<&>",
            ["kubernetes.io/secret/blob"] = Convert.ToBase64String(new byte[3000]),
        });
        Assert.False((await kubelet.CallAsync("isattached", options, Node).WithTimeout()).ExpectSuccess().Status!.Attached);
    }

    [LifecycleFact]
    public async Task HundredKiBOptionValue_IsAParsableFailureNamingTheOption()
    {
        await using var fixture = new LoopVolumeFixture();
        var kubelet = new KubeletSimulator(fixture.Environment);
        var options = KubeletSimulator.Options("pv-big", new Dictionary<string, string> { ["mountOptions"] = new string('a', 100 * 1024) });
        var outcome = await kubelet.CallAsync("attach", options, Node).WithTimeout();
        Assert.Equal(KubeletResult.Error, outcome.Result);
        Assert.Contains("mountOptions", outcome.Status!.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(fixture.ImagePath("pv-big")));
    }
}
