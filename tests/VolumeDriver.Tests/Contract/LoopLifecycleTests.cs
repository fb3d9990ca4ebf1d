using System.Diagnostics;
using Simulators;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Contract;

/// <summary>
/// The whole kubelet sequence against real loop devices, ext4 and mount, through the published
/// binary run as kubelet runs it. Needs root.
/// </summary>
public sealed class LoopLifecycleTests
{
    private const string Node = LoopVolumeFixture.NodeName;

    [LifecycleFact]
    public async Task KubeletSequence_RemountAfterDetach_KeepsTheDataAndNeverReformats()
    {
        await using var fixture = new LoopVolumeFixture();
        var options = LoopVolumeFixture.Options("pv-life");
        var mount = fixture.MountPath("pv-life");

        await fixture.ExpectAsync("Success", "init").WithTimeout();
        var device = (await fixture.ExpectAsync("Success", "attach", options, Node).WithTimeout()).Device!;
        Assert.Matches("^/dev/loop[0-9]+$", device);
        Assert.Equal(1L << 30, new FileInfo(fixture.ImagePath("pv-life")).Length);
        Assert.True((await fixture.ExpectAsync("Success", "isattached", options, Node).WithTimeout()).Attached);
        Assert.Equal(device, (await fixture.ExpectAsync("Success", "waitforattach", device, options).WithTimeout()).Device);
        await fixture.ExpectAsync("Success", "mountdevice", mount, device, options).WithTimeout();
        Assert.True(LoopVolumeFixture.IsMountPoint(mount));
        var uuid = (await LoopVolumeFixture.RunToolAsync("blkid", "-p", "-s", "UUID", "-o", "value", device).WithTimeout()).Trim();
        Assert.NotEmpty(uuid);
        await File.WriteAllTextAsync(Path.Join(mount, "data.txt"), "kept").WithTimeout();

        await fixture.ExpectAsync("Success", "unmountdevice", mount).WithTimeout();
        Assert.False(LoopVolumeFixture.IsMountPoint(mount));
        await fixture.ExpectAsync("Success", "detach", "pv-life", Node).WithTimeout();
        Assert.Empty(fixture.LoopDevicesOf("pv-life"));
        Assert.False((await fixture.ExpectAsync("Success", "isattached", options, Node).WithTimeout()).Attached);

        var again = (await fixture.ExpectAsync("Success", "attach", options, Node).WithTimeout()).Device!;
        Assert.Equal(again, (await fixture.ExpectAsync("Success", "waitforattach", "", options).WithTimeout()).Device);
        await fixture.ExpectAsync("Success", "mountdevice", mount, again, options).WithTimeout();
        Assert.Equal("kept", await File.ReadAllTextAsync(Path.Join(mount, "data.txt")).WithTimeout());
        Assert.Equal(uuid, (await LoopVolumeFixture.RunToolAsync("blkid", "-p", "-s", "UUID", "-o", "value", again).WithTimeout()).Trim());

        await fixture.ExpectAsync("Success", "unmountdevice", mount).WithTimeout();
        await fixture.ExpectAsync("Success", "detach", "pv-life", Node).WithTimeout();
        await fixture.ExpectAsync("Success", "delete", "pv-life").WithTimeout();
        Assert.False(File.Exists(fixture.ImagePath("pv-life")));
    }

    [LifecycleFact]
    public async Task EveryVerbTwiceInARow_Converges()
    {
        await using var fixture = new LoopVolumeFixture();
        var options = LoopVolumeFixture.Options("pv-twice", size: "256Mi");
        var mount = fixture.MountPath("pv-twice");

        var device = (await fixture.ExpectAsync("Success", "attach", options, Node).WithTimeout()).Device!;
        Assert.Equal(device, (await fixture.ExpectAsync("Success", "attach", options, Node).WithTimeout()).Device);
        Assert.Single(fixture.LoopDevicesOf("pv-twice"));
        await fixture.ExpectAsync("Success", "waitforattach", device, options).WithTimeout();
        await fixture.ExpectAsync("Success", "waitforattach", device, options).WithTimeout();
        await fixture.ExpectAsync("Success", "mountdevice", mount, device, options).WithTimeout();
        await fixture.ExpectAsync("Success", "mountdevice", mount, device, options).WithTimeout();
        Assert.Single(File.ReadAllLines("/proc/self/mountinfo"), line => line.Split(' ')[4] == mount);
        await fixture.ExpectAsync("Success", "unmountdevice", mount).WithTimeout();
        await fixture.ExpectAsync("Success", "unmountdevice", mount).WithTimeout();
        await fixture.ExpectAsync("Success", "detach", "pv-twice", Node).WithTimeout();
        await fixture.ExpectAsync("Success", "detach", "pv-twice", Node).WithTimeout();
        await fixture.ExpectAsync("Success", "delete", "pv-twice").WithTimeout();
        await fixture.ExpectAsync("Success", "delete", "pv-twice").WithTimeout();
    }

    [LifecycleFact]
    public async Task ReadOnlyVolume_MountsReadOnly_AndABlankOneIsNeverFormatted()
    {
        await using var fixture = new LoopVolumeFixture();
        var rw = LoopVolumeFixture.Options("pv-ro", size: "256Mi");
        var ro = LoopVolumeFixture.Options("pv-ro", size: "256Mi", readWrite: "ro");
        var mount = fixture.MountPath("pv-ro");

        var device = (await fixture.ExpectAsync("Success", "attach", ro, Node).WithTimeout()).Device!;
        var refused = await fixture.ExpectAsync("Failure", "mountdevice", mount, device, ro).WithTimeout();
        Assert.Contains("read-only", refused.Message, StringComparison.Ordinal);
        Assert.Equal("", (await LoopVolumeFixture.RunToolAsync("blkid", "-p", "-o", "value", "-s", "TYPE", device).WithTimeout()).Trim());

        await fixture.ExpectAsync("Success", "mountdevice", mount, device, rw).WithTimeout();
        await File.WriteAllTextAsync(Path.Join(mount, "data.txt"), "x").WithTimeout();
        await fixture.ExpectAsync("Success", "unmountdevice", mount).WithTimeout();

        await fixture.ExpectAsync("Success", "mountdevice", mount, device, ro).WithTimeout();
        Assert.Contains("ro", LoopVolumeFixture.MountOptionsOf(mount).Split(','));
        Assert.ThrowsAny<IOException>(() => File.WriteAllText(Path.Join(mount, "other.txt"), "y"));
        Assert.Equal("x", await File.ReadAllTextAsync(Path.Join(mount, "data.txt")).WithTimeout());
        await fixture.ExpectAsync("Success", "unmountdevice", mount).WithTimeout();
        await fixture.ExpectAsync("Success", "detach", "pv-ro", Node).WithTimeout();
    }

    [LifecycleFact]
    public async Task DetachOfAMountedVolume_IsRefused_AndDeleteOfAnAttachedOneToo()
    {
        await using var fixture = new LoopVolumeFixture();
        var options = LoopVolumeFixture.Options("pv-busy", size: "128Mi");
        var mount = fixture.MountPath("pv-busy");
        var device = (await fixture.ExpectAsync("Success", "attach", options, Node).WithTimeout()).Device!;
        await fixture.ExpectAsync("Success", "mountdevice", mount, device, options).WithTimeout();

        var detach = await fixture.ExpectAsync("Failure", "detach", "pv-busy", Node).WithTimeout();
        Assert.Contains(mount, detach.Message, StringComparison.Ordinal);
        Assert.Single(fixture.LoopDevicesOf("pv-busy"));

        await fixture.ExpectAsync("Success", "unmountdevice", mount).WithTimeout();
        var delete = await fixture.ExpectAsync("Failure", "delete", "pv-busy").WithTimeout();
        Assert.Contains("detach", delete.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(fixture.ImagePath("pv-busy")));
        await fixture.ExpectAsync("Success", "detach", "pv-busy", Node).WithTimeout();
        await fixture.ExpectAsync("Success", "delete", "pv-busy").WithTimeout();
    }

    [LifecycleFact]
    public async Task AttachToAnotherNode_FailsAndIsAttachedThereIsFalse()
    {
        await using var fixture = new LoopVolumeFixture();
        var options = LoopVolumeFixture.Options("pv-elsewhere", size: "64Mi");
        var failure = await fixture.ExpectAsync("Failure", "attach", options, "other-node").WithTimeout();
        Assert.Contains("other-node", failure.Message, StringComparison.Ordinal);
        Assert.Empty(fixture.LoopDevicesOf("pv-elsewhere"));
        await fixture.ExpectAsync("Success", "attach", options, Node).WithTimeout();
        Assert.False((await fixture.ExpectAsync("Success", "isattached", "other-node", options).WithTimeout()).Attached);
        Assert.True((await fixture.ExpectAsync("Success", "isattached", Node, options).WithTimeout()).Attached);
        await fixture.ExpectAsync("Success", "detach", "pv-elsewhere", Node).WithTimeout();
    }

    [LifecycleFact]
    public async Task AttachWithoutASize_ForANewVolume_FailsNamingSize()
    {
        await using var fixture = new LoopVolumeFixture();
        var failure = await fixture.ExpectAsync("Failure", "attach", LoopVolumeFixture.Options("pv-nosize", size: null), Node).WithTimeout();
        Assert.Contains("size", failure.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(fixture.ImagePath("pv-nosize")));
    }

    [LifecycleFact]
    public async Task EightVolumes_InParallelProcesses_EachGetTheirOwnDeviceAndMount()
    {
        await using var fixture = new LoopVolumeFixture();
        var volumes = Enumerable.Range(1, 8).Select(i => $"pv-par-{i}").ToArray();

        var devices = await Task.WhenAll(volumes.Select(async v => (await fixture.ExpectAsync("Success", "attach", LoopVolumeFixture.Options(v, size: "64Mi"), Node).WithTimeout()).Device!)).WithTimeout(TimeSpan.FromMinutes(3));
        Assert.Equal(8, devices.Distinct().Count());
        foreach (var v in volumes)
        {
            Assert.Single(fixture.LoopDevicesOf(v));
        }

        await Task.WhenAll(volumes.Select(async (v, i) =>
        {
            var options = LoopVolumeFixture.Options(v, size: "64Mi");
            var device = (await fixture.ExpectAsync("Success", "waitforattach", devices[i], options).WithTimeout()).Device!;
            await fixture.ExpectAsync("Success", "mountdevice", fixture.MountPath(v), device, options).WithTimeout();
            await File.WriteAllTextAsync(Path.Join(fixture.MountPath(v), "id"), v).WithTimeout();
        })).WithTimeout(TimeSpan.FromMinutes(3));

        foreach (var v in volumes)
        {
            Assert.Equal(v, await File.ReadAllTextAsync(Path.Join(fixture.MountPath(v), "id")).WithTimeout());
        }

        await Task.WhenAll(volumes.Select(async v =>
        {
            await fixture.ExpectAsync("Success", "unmountdevice", fixture.MountPath(v)).WithTimeout();
            await fixture.ExpectAsync("Success", "detach", v, Node).WithTimeout();
            await fixture.ExpectAsync("Success", "delete", v).WithTimeout();
        })).WithTimeout(TimeSpan.FromMinutes(3));
        Assert.Empty(Directory.EnumerateFiles(fixture.ImageDirectory, "*.img"));
    }

    [LifecycleFact]
    public async Task KilledAfterLosetupBeforeReplying_ReRunConvergesOnTheSameDevice()
    {
        await using var fixture = new LoopVolumeFixture();
        var options = LoopVolumeFixture.Options("pv-killed", size: "64Mi");
        var marker = Path.Join(fixture.Root, "losetup-ran");
        var shims = WriteLosetupShim(fixture.Root, marker, runRealLosetupFirst: true);

        await KillWhenShimIsReachedAsync(fixture, options, shims, marker).WithTimeout();
        var leftBehind = fixture.LoopDevicesOf("pv-killed");
        Assert.Single(leftBehind);

        var device = (await fixture.ExpectAsync("Success", "attach", options, Node).WithTimeout()).Device;
        Assert.Equal(leftBehind[0], device);
        Assert.Single(fixture.LoopDevicesOf("pv-killed"));
        await fixture.ExpectAsync("Success", "detach", "pv-killed", Node).WithTimeout();
    }

    [LifecycleFact]
    public async Task KilledBeforeLosetup_ReRunAttachesOnce()
    {
        await using var fixture = new LoopVolumeFixture();
        var options = LoopVolumeFixture.Options("pv-killed-early", size: "64Mi");
        var marker = Path.Join(fixture.Root, "losetup-reached");
        var shims = WriteLosetupShim(fixture.Root, marker, runRealLosetupFirst: false);

        await KillWhenShimIsReachedAsync(fixture, options, shims, marker).WithTimeout();
        Assert.Empty(fixture.LoopDevicesOf("pv-killed-early"));
        Assert.True(File.Exists(fixture.ImagePath("pv-killed-early")));

        await fixture.ExpectAsync("Success", "attach", options, Node).WithTimeout();
        Assert.Single(fixture.LoopDevicesOf("pv-killed-early"));
        await fixture.ExpectAsync("Success", "detach", "pv-killed-early", Node).WithTimeout();
    }

    [LifecycleFact]
    public async Task UnwritableLogFile_StillRepliesWithOneObject()
    {
        await using var fixture = new LoopVolumeFixture();
        var config = File.ReadAllText(fixture.ConfigFile).Replace(fixture.LogFile, "/etc/hostname/driver.log", StringComparison.Ordinal);
        ReplacedFile.WriteAllText(fixture.ConfigFile, config);
        var run = await fixture.RunAsync("isattached", LoopVolumeFixture.Options("pv-nolog"), Node).WithTimeout();
        Assert.Equal(0, run.ExitCode);
        Assert.False(run.Status.Attached);
    }

    [LifecycleFact]
    public async Task UnexpectedErrorInsideAVerb_IsAFailureObjectNotAStackTrace()
    {
        await using var fixture = new LoopVolumeFixture();
        var blocker = Path.Join(fixture.Root, "not-a-directory");
        File.WriteAllText(blocker, "");
        var config = File.ReadAllText(fixture.ConfigFile).Replace(fixture.ImageDirectory, Path.Join(blocker, "images"), StringComparison.Ordinal);
        ReplacedFile.WriteAllText(fixture.ConfigFile, config);
        var run = await fixture.RunAsync("attach", LoopVolumeFixture.Options("pv-broken"), Node).WithTimeout();
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Failure", run.Status.Status);
        Assert.DoesNotContain("   at ", run.Text, StringComparison.Ordinal);
    }

    [LifecycleFact]
    public async Task WaitForAttach_SigtermFromKubeletsTimeout_RepliesFailureAndExits()
    {
        await using var fixture = new LoopVolumeFixture(deviceTimeout: "10m");
        var run = await KubeletExec.RunAsync(["waitforattach", "", LoopVolumeFixture.Options("pv-never")], fixture.Environment, stdin: null, timeout: TimeSpan.FromMinutes(1), onStarted: async process =>
        {
            // The log says when the driver is waiting (its signal handlers are in place by then).
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (!File.Exists(fixture.LogFile) || !File.ReadAllText(fixture.LogFile).Contains("Waiting up to", StringComparison.Ordinal))
            {
                await Task.Delay(20, limit.Token);
            }

            await LoopVolumeFixture.RunToolAsync("kill", "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).WithTimeout();
        }).WithTimeout();

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("Failure", run.Status.Status);
        Assert.Contains("interrupted", run.Status.Message, StringComparison.Ordinal);
    }

    [LifecycleFact("unshare")]
    public async Task Detach_WhileMountedInAnotherMountNamespace_IsRefused()
    {
        await using var fixture = new LoopVolumeFixture();
        var options = LoopVolumeFixture.Options("pv-ns", size: "64Mi");
        var mount = fixture.MountPath("pv-ns");
        var device = (await fixture.ExpectAsync("Success", "attach", options, Node).WithTimeout()).Device!;
        await fixture.ExpectAsync("Success", "mountdevice", mount, device, options).WithTimeout();

        // A container's mount namespace keeps its copy of the mount after the host unmounts it.
        using var holder = Process.Start(new ProcessStartInfo("unshare", ["--mount", "--propagation", "private", "sleep", "600"]))!;
        try
        {
            using (var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                while (!File.Exists($"/proc/{holder.Id}/mountinfo") || !File.ReadAllText($"/proc/{holder.Id}/mountinfo").Contains(mount, StringComparison.Ordinal)
                    || File.ReadAllText($"/proc/{holder.Id}/comm").Trim() != "sleep")
                {
                    await Task.Delay(20, limit.Token);
                }
            }

            await fixture.ExpectAsync("Success", "unmountdevice", mount).WithTimeout();
            var refused = await fixture.ExpectAsync("Failure", "detach", "pv-ns", Node).WithTimeout();
            Assert.Contains("busy", refused.Message, StringComparison.Ordinal);
            Assert.Single(fixture.LoopDevicesOf("pv-ns"));
        }
        finally
        {
            holder.Kill();
            await holder.WaitForExitAsync().WithTimeout();
        }

        await fixture.ExpectAsync("Success", "detach", "pv-ns", Node).WithTimeout();
        Assert.Empty(fixture.LoopDevicesOf("pv-ns"));
    }

    [LifecycleFact]
    public async Task ConcurrentMountDevice_OnOneBlankDevice_FormatsItOnce()
    {
        await using var fixture = new LoopVolumeFixture();
        for (var round = 0; round < 3; round++)
        {
            var volume = $"pv-race-{round}";
            var options = LoopVolumeFixture.Options(volume, size: "64Mi");
            var device = (await fixture.ExpectAsync("Success", "attach", options, Node).WithTimeout()).Device!;
            var first = fixture.MountPath(volume);
            var second = fixture.Track(first.Replace("/kubelet/", "/kubelet-2/", StringComparison.Ordinal));
            await Task.WhenAll(
                fixture.ExpectAsync("Success", "mountdevice", first, device, options),
                fixture.ExpectAsync("Success", "mountdevice", second, device, options)).WithTimeout();
            try
            {
                var formats = File.ReadAllLines(fixture.LogFile).Count(line => line.Contains($"Formatting blank device {device}", StringComparison.Ordinal));
                Assert.Equal(1, formats);
                Assert.Equal(
                    (await LoopVolumeFixture.RunToolAsync("blkid", "-p", "-s", "UUID", "-o", "value", device).WithTimeout()).Trim(),
                    (await LoopVolumeFixture.RunToolAsync("findmnt", "-n", "-o", "UUID", second).WithTimeout()).Trim());
            }
            finally
            {
                await fixture.ExpectAsync("Success", "unmountdevice", second).WithTimeout();
                await fixture.ExpectAsync("Success", "unmountdevice", first).WithTimeout();
                await fixture.ExpectAsync("Success", "detach", volume, Node).WithTimeout();
            }

            // The log is per fixture: start each round's count afresh.
            ReplacedFile.WriteAllText(fixture.LogFile, string.Empty);
        }
    }

    /// <summary>
    /// A losetup on PATH that records it was reached (with its pid), optionally runs the real
    /// losetup first, then blocks: the test kills the driver at that exact point.
    /// </summary>
    private static string WriteLosetupShim(string root, string marker, bool runRealLosetupFirst)
    {
        var directory = Path.Join(root, "shims");
        Directory.CreateDirectory(directory);
        var real = TestSupport.HostPrerequisites.FindOnPath("losetup")!;
        var script = Path.Join(directory, "losetup");
        File.WriteAllText(script, $"""
            #!/bin/sh
            {(runRealLosetupFirst ? $"\"{real}\" \"$@\"" : ":")}
            echo $$ > "{marker}.tmp" && mv "{marker}.tmp" "{marker}"
            exec sleep 600
            """.Replace("\r", "", StringComparison.Ordinal));
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return directory;
    }

    private static async Task KillWhenShimIsReachedAsync(LoopVolumeFixture fixture, string options, string shims, string marker)
    {
        var environment = fixture.Environment;
        environment["PATH"] = shims + ":" + KubeletExec.SystemdPath;
        var run = await KubeletExec.RunAsync(["attach", options, Node], environment, stdin: null, timeout: TimeSpan.FromMinutes(1), onStarted: async process =>
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (!File.Exists(marker))
            {
                await Task.Delay(20, limit.Token);
            }

            // SIGKILL the driver alone, as the kernel's OOM killer or kubelet's escalation would.
            process.Kill(entireProcessTree: false);
            var shimPid = int.Parse(File.ReadAllText(marker).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            Process.GetProcessById(shimPid).Kill();
        }).WithTimeout();
        Assert.NotEqual(0, run.ExitCode);
    }
}
