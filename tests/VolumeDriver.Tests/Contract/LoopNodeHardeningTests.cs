using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Contract;

/// <summary>
/// The node side of the hardening issues (13 and 17), through the published binary on real loop
/// devices: no format over data without a signature, no second mkfs beside an orphaned one, no
/// mount or unmount through a symlink out of kubelet's layout, a clear Failure for a file at
/// deviceMountPath, no Success for a mount that differs from what the volume asks, and the mount
/// option policy for options a pod author writes.
/// </summary>
public sealed class LoopNodeHardeningTests
{
    private const string Node = LoopVolumeFixture.NodeName;

    // ---- 13.1: no format over data that carries no signature ----

    [LifecycleFact]
    public async Task MountDevice_FewBytesAtOffsetZero_RefusesToFormatAndSaysHowToWipe()
    {
        await using var fixture = new LoopVolumeFixture();
        var (device, options, mount) = await AttachAsync(fixture, "pv-bytes", "64Mi").WithTimeout();
        await WriteToDeviceAsync(device, 0, "not zeros"u8.ToArray()).WithTimeout();

        var refused = await fixture.ExpectAsync("Failure", "mountdevice", mount, device, options).WithTimeout();

        Assert.Contains("first MiB", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"wipefs --all {device}", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"blkdiscard {device}", refused.Message, StringComparison.Ordinal);
        Assert.Equal("not zeros", System.Text.Encoding.ASCII.GetString(await ReadFromDeviceAsync(device, 0, 9).WithTimeout()));
        Assert.False(LoopVolumeFixture.IsMountPoint(mount));
    }

    [LifecycleFact]
    public async Task MountDevice_DataDeepInsideAndNoneAtTheStart_RefusesToFormat()
    {
        await using var fixture = new LoopVolumeFixture();
        var (device, options, mount) = await AttachAsync(fixture, "pv-deep", "256Mi").WithTimeout();
        var data = Enumerable.Repeat((byte)0xA5, 4 << 20).ToArray();
        await WriteToDeviceAsync(device, 100L << 20, data).WithTimeout();

        var refused = await fixture.ExpectAsync("Failure", "mountdevice", mount, device, options).WithTimeout();

        Assert.Contains("deep inside", refused.Message, StringComparison.Ordinal);
        Assert.Equal(data[..4096], await ReadFromDeviceAsync(device, 100L << 20, 4096).WithTimeout());
        Assert.False(LoopVolumeFixture.IsMountPoint(mount));
    }

    [LifecycleFact]
    public async Task MountDevice_Ext4WithADamagedPrimarySuperblock_RefusesAndNamesTheBackup()
    {
        await using var fixture = new LoopVolumeFixture();
        var (device, options, mount) = await AttachAsync(fixture, "pv-damaged", "64Mi").WithTimeout();
        await LoopVolumeFixture.RunToolAsync("mkfs.ext4", "-q", "-F", device).WithTimeout();
        await WriteToDeviceAsync(device, 0, new byte[1 << 20]).WithTimeout();
        Assert.Equal(string.Empty, (await LoopVolumeFixture.RunToolAsync("blkid", "-p", "-o", "value", "-s", "TYPE", device).WithTimeout()).Trim());

        var refused = await fixture.ExpectAsync("Failure", "mountdevice", mount, device, options).WithTimeout();

        Assert.Contains("ext2/3/4 backup superblock", refused.Message, StringComparison.Ordinal);
        Assert.Contains("e2fsck -n -b", refused.Message, StringComparison.Ordinal);
        Assert.False(LoopVolumeFixture.IsMountPoint(mount));
    }

    [LifecycleFact("mkfs.xfs")]
    public async Task MountDevice_XfsWithADamagedPrimarySuperblock_RefusesAndNamesTheSecondary()
    {
        await using var fixture = new LoopVolumeFixture();
        var (device, options, mount) = await AttachAsync(fixture, "pv-damaged-xfs", "512Mi", fsType: "xfs").WithTimeout();
        await LoopVolumeFixture.RunToolAsync("mkfs.xfs", "-q", "-f", device).WithTimeout();
        await WriteToDeviceAsync(device, 0, new byte[1 << 20]).WithTimeout();
        Assert.Equal(string.Empty, (await LoopVolumeFixture.RunToolAsync("blkid", "-p", "-o", "value", "-s", "TYPE", device).WithTimeout()).Trim());

        var refused = await fixture.ExpectAsync("Failure", "mountdevice", mount, device, options).WithTimeout();

        Assert.Contains("XFS secondary superblock", refused.Message, StringComparison.Ordinal);
        Assert.False(LoopVolumeFixture.IsMountPoint(mount));
    }

    // ---- 13.2: the device stays locked while an mkfs we started can still write ----

    [LifecycleFact]
    public async Task MountDevice_KilledDuringMkfs_RetryWaitsForTheOrphanAndNeverRunsASecondMkfs()
    {
        await using var fixture = new LoopVolumeFixture();
        var (device, options, mount) = await AttachAsync(fixture, "pv-orphan", "64Mi").WithTimeout();
        var started = Path.Join(fixture.Root, "mkfs-started");
        var go = Path.Join(fixture.Root, "mkfs-go");
        var invocations = Path.Join(fixture.Root, "mkfs-invocations");
        var environment = fixture.Environment;
        environment["PATH"] = WriteMkfsShim(fixture.Root, started, go, invocations) + ":" + KubeletExec.SystemdPath;

        // SIGKILL the driver alone while its mkfs runs, as the OOM killer or kubelet's escalation would.
        var killed = await KubeletExec.RunAsync(["mountdevice", mount, device, options], environment, stdin: null, TimeSpan.FromMinutes(1), onStarted: async process =>
        {
            await WaitUntilAsync(() => File.Exists(started), "the first mkfs to start").WithTimeout();
            process.Kill(entireProcessTree: false);
        }).WithTimeout();
        Assert.NotEqual(0, killed.ExitCode);

        // The retry must wait for the orphaned mkfs: either it waits for the lock (fixed) or it starts
        // a second mkfs on the same device (the bug). Only then is the first mkfs let go.
        var retry = KubeletExec.RunAsync(["mountdevice", mount, device, options], environment, stdin: null, TimeSpan.FromMinutes(1), onStarted: null);
        await WaitUntilAsync(
            () => (File.Exists(fixture.LogFile) && File.ReadAllText(fixture.LogFile).Contains($"Waiting for the lock on {device}", StringComparison.Ordinal))
                || File.ReadAllLines(invocations).Length > 1,
            "the retry to wait for the lock or start its own mkfs").WithTimeout();
        await File.WriteAllTextAsync(go, string.Empty).WithTimeout();

        var run = await retry.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.True(run.Status.Status == "Success", $"retry answered {run.Text}\n--- log ---\n{fixture.ReadLog()}");
        Assert.Single(File.ReadAllLines(invocations));
        Assert.Equal("ext4", LoopVolumeFixture.FilesystemTypeOf(mount));
        await fixture.ExpectAsync("Success", "unmountdevice", mount).WithTimeout();
    }

    // ---- 13.3: no mount or unmount through a symlink below kubelet's plugins directory ----

    [LifecycleFact]
    public async Task MountDevice_MountsDirectoryIsASymlink_RefusesAndMountsNothingThere()
    {
        await using var fixture = new LoopVolumeFixture();
        var (device, options, mount) = await AttachAsync(fixture, "pv-link", "64Mi").WithTimeout();
        var elsewhere = Directory.CreateDirectory(Path.Join(fixture.Root, "elsewhere")).FullName;
        var mounts = Path.GetDirectoryName(mount)!;
        Directory.CreateDirectory(Path.GetDirectoryName(mounts)!);
        File.CreateSymbolicLink(mounts, elsewhere);
        fixture.Track(Path.Join(elsewhere, "pv-link"));

        var refused = await fixture.ExpectAsync("Failure", "mountdevice", mount, device, options).WithTimeout();

        Assert.Contains("symbolic link", refused.Message, StringComparison.Ordinal);
        Assert.Contains(mounts, refused.Message, StringComparison.Ordinal);
        Assert.False(LoopVolumeFixture.IsMountPoint(Path.Join(elsewhere, "pv-link")));
        Assert.False(Directory.Exists(Path.Join(elsewhere, "pv-link")));
    }

    [LifecycleFact]
    public async Task MountDevice_VolumeDirectoryIsASymlink_Refuses()
    {
        await using var fixture = new LoopVolumeFixture();
        var (device, options, mount) = await AttachAsync(fixture, "pv-link2", "64Mi").WithTimeout();
        var elsewhere = Directory.CreateDirectory(Path.Join(fixture.Root, "elsewhere")).FullName;
        Directory.CreateDirectory(Path.GetDirectoryName(mount)!);
        File.CreateSymbolicLink(mount, elsewhere);
        fixture.Track(elsewhere);

        var refused = await fixture.ExpectAsync("Failure", "mountdevice", mount, device, options).WithTimeout();

        Assert.Contains("symbolic link", refused.Message, StringComparison.Ordinal);
        Assert.False(LoopVolumeFixture.IsMountPoint(elsewhere));
    }

    [LifecycleFact]
    public async Task UnmountDevice_ThroughASymlinkToAnotherMount_RefusesAndLeavesItMounted()
    {
        await using var fixture = new LoopVolumeFixture();
        var victim = fixture.Track(Directory.CreateDirectory(Path.Join(fixture.Root, "not-ours")).FullName);
        await LoopVolumeFixture.RunToolAsync("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", victim).WithTimeout();
        Assert.True(LoopVolumeFixture.IsMountPoint(victim));
        var mount = fixture.MountPath("pv-victim");
        Directory.CreateDirectory(Path.GetDirectoryName(mount)!);
        File.CreateSymbolicLink(mount, victim);

        var refused = await fixture.ExpectAsync("Failure", "unmountdevice", mount).WithTimeout();

        Assert.Contains("symbolic link", refused.Message, StringComparison.Ordinal);
        Assert.True(LoopVolumeFixture.IsMountPoint(victim));
    }

    // ---- 13.8: a regular file at deviceMountPath ----

    [LifecycleFact]
    public async Task MountDevice_DeviceMountPathIsARegularFile_IsAClearFailure()
    {
        await using var fixture = new LoopVolumeFixture();
        var (device, options, mount) = await AttachAsync(fixture, "pv-file", "64Mi").WithTimeout();
        Directory.CreateDirectory(Path.GetDirectoryName(mount)!);
        await File.WriteAllTextAsync(mount, "a file").WithTimeout();

        var refused = await fixture.ExpectAsync("Failure", "mountdevice", mount, device, options).WithTimeout();

        Assert.Contains("not a directory", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", refused.Message, StringComparison.Ordinal);
        Assert.Equal("a file", await File.ReadAllTextAsync(mount).WithTimeout());
    }

    // ---- 13.10: an existing mount that differs from what the volume asks ----

    [LifecycleFact]
    public async Task MountDevice_AlreadyMountedAsExt4_WhenTheVolumeAsksForXfs_Fails()
    {
        await using var fixture = new LoopVolumeFixture();
        var (device, options, mount) = await AttachAsync(fixture, "pv-type", "64Mi").WithTimeout();
        await LoopVolumeFixture.RunToolAsync("mkfs.ext4", "-q", "-F", device).WithTimeout();
        Directory.CreateDirectory(mount);
        await LoopVolumeFixture.RunToolAsync("mount", "-t", "ext4", "-o", "nosuid,nodev", device, mount).WithTimeout();

        var xfs = LoopVolumeFixture.Options("pv-type", size: "64Mi", fsType: "xfs");
        var refused = await fixture.ExpectAsync("Failure", "mountdevice", mount, device, xfs).WithTimeout();

        Assert.Contains("is ext4, the volume asks for xfs", refused.Message, StringComparison.Ordinal);
        await fixture.ExpectAsync("Success", "mountdevice", mount, device, options).WithTimeout();
    }

    [LifecycleFact]
    public async Task MountDevice_AlreadyMountedWithoutNoexec_WhenTheVolumeAsksForIt_Fails()
    {
        await using var fixture = new LoopVolumeFixture();
        var (device, _, mount) = await AttachAsync(fixture, "pv-flags", "64Mi").WithTimeout();
        await LoopVolumeFixture.RunToolAsync("mkfs.ext4", "-q", "-F", device).WithTimeout();
        Directory.CreateDirectory(mount);
        await LoopVolumeFixture.RunToolAsync("mount", "-t", "ext4", device, mount).WithTimeout();

        var asks = LoopVolumeFixture.Options("pv-flags", size: "64Mi", extra: "mountOptions=noexec,nosuid");
        var refused = await fixture.ExpectAsync("Failure", "mountdevice", mount, device, asks).WithTimeout();

        Assert.Contains("lacks nosuid", refused.Message, StringComparison.Ordinal);
        Assert.Contains("lacks noexec", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("noexec", LoopVolumeFixture.MountOptionsOf(mount).Split(','));
    }

    // ---- 17: mount options from pod specs ----

    [LifecycleFact]
    public async Task MountDevice_ByDefault_MountsNosuidNodev()
    {
        await using var fixture = new LoopVolumeFixture();
        var (device, options, mount) = await AttachAsync(fixture, "pv-default", "64Mi").WithTimeout();

        await fixture.ExpectAsync("Success", "mountdevice", mount, device, options).WithTimeout();

        var flags = LoopVolumeFixture.MountOptionsOf(mount).Split(',');
        Assert.Contains("nosuid", flags);
        Assert.Contains("nodev", flags);
    }

    [LifecycleTheory]
    [InlineData("suid")]
    [InlineData("dev")]
    [InlineData("noatime,suid")]
    public async Task MountDevice_SuidOrDevFromTheVolume_IsRefusedUnlessTheOperatorAllowsIt(string requested)
    {
        await using var fixture = new LoopVolumeFixture();
        var (device, _, mount) = await AttachAsync(fixture, "pv-suid", "64Mi").WithTimeout();
        var asks = LoopVolumeFixture.Options("pv-suid", size: "64Mi", extra: "mountOptions=" + requested);

        var refused = await fixture.ExpectAsync("Failure", "mountdevice", mount, device, asks).WithTimeout();
        Assert.Contains("node.allowSuidAndDevices", refused.Message, StringComparison.Ordinal);
        Assert.False(LoopVolumeFixture.IsMountPoint(mount));

        await File.AppendAllTextAsync(fixture.ConfigFile, "\n  allowSuidAndDevices: true\n").WithTimeout();
        await fixture.ExpectAsync("Success", "mountdevice", mount, device, asks).WithTimeout();
        Assert.DoesNotContain(requested.Contains("suid", StringComparison.Ordinal) ? "nosuid" : "nodev", LoopVolumeFixture.MountOptionsOf(mount).Split(','));
    }

    [LifecycleFact]
    public async Task MountDevice_ErrorsPanic_IsNeverAccepted()
    {
        await using var fixture = new LoopVolumeFixture();
        await File.AppendAllTextAsync(fixture.ConfigFile, "\n  allowSuidAndDevices: true\n").WithTimeout();
        var (device, _, mount) = await AttachAsync(fixture, "pv-panic", "64Mi").WithTimeout();
        var asks = LoopVolumeFixture.Options("pv-panic", size: "64Mi", extra: "mountOptions=errors=panic");

        var refused = await fixture.ExpectAsync("Failure", "mountdevice", mount, device, asks).WithTimeout();

        Assert.Contains("errors=panic", refused.Message, StringComparison.Ordinal);
        Assert.False(LoopVolumeFixture.IsMountPoint(mount));
    }

    [LifecycleTheory]
    [InlineData("norecovery")]
    [InlineData("noload")]
    public async Task MountDevice_JournalSkippingOption_OnlyReadOnly(string option)
    {
        await using var fixture = new LoopVolumeFixture();
        var (device, options, mount) = await AttachAsync(fixture, "pv-journal", "64Mi").WithTimeout();
        await fixture.ExpectAsync("Success", "mountdevice", mount, device, options).WithTimeout();
        await fixture.ExpectAsync("Success", "unmountdevice", mount).WithTimeout();

        var readWrite = LoopVolumeFixture.Options("pv-journal", size: "64Mi", extra: "mountOptions=" + option);
        var refused = await fixture.ExpectAsync("Failure", "mountdevice", mount, device, readWrite).WithTimeout();
        Assert.Contains("read-only", refused.Message, StringComparison.Ordinal);
        Assert.False(LoopVolumeFixture.IsMountPoint(mount));

        var readOnly = LoopVolumeFixture.Options("pv-journal", size: "64Mi", readWrite: "ro", extra: "mountOptions=" + option);
        await fixture.ExpectAsync("Success", "mountdevice", mount, device, readOnly).WithTimeout();
        Assert.Contains("ro", LoopVolumeFixture.MountOptionsOf(mount).Split(','));
    }

    private static async Task<(string Device, string Options, string Mount)> AttachAsync(LoopVolumeFixture fixture, string volume, string size, string fsType = "")
    {
        var options = LoopVolumeFixture.Options(volume, size: size, fsType: fsType);
        var device = (await fixture.ExpectAsync("Success", "attach", options, Node).WithTimeout()).Device!;
        return (device, options, fixture.MountPath(volume));
    }

    private static async Task WriteToDeviceAsync(string device, long offset, byte[] data)
    {
        await using (var stream = new FileStream(device, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            stream.Seek(offset, SeekOrigin.Begin);
            await stream.WriteAsync(data).WithTimeout();
            await stream.FlushAsync().WithTimeout();
            stream.Flush(flushToDisk: true);
        }
    }

    private static async Task<byte[]> ReadFromDeviceAsync(string device, long offset, int count)
    {
        var buffer = new byte[count];
        await using var stream = new FileStream(device, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(offset, SeekOrigin.Begin);
        await stream.ReadExactlyAsync(buffer).WithTimeout();
        return buffer;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!condition())
        {
            try
            {
                await Task.Delay(20, limit.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }
        }
    }

    /// <summary>
    /// An mkfs.ext4 on PATH that records each start (its pid, one line each), then waits for the test
    /// to let it go, then runs the real mkfs.ext4: the test kills the driver at that exact point.
    /// </summary>
    private static string WriteMkfsShim(string root, string started, string go, string invocations)
    {
        var directory = Path.Join(root, "shims");
        Directory.CreateDirectory(directory);
        File.WriteAllText(invocations, string.Empty);
        var real = TestSupport.HostPrerequisites.FindOnPath("mkfs.ext4")!;
        var script = Path.Join(directory, "mkfs.ext4");
        File.WriteAllText(script, $"""
            #!/bin/sh
            echo $$ >> "{invocations}"
            touch "{started}"
            while [ ! -e "{go}" ]; do sleep 0.02; done
            exec "{real}" "$@"
            """.Replace("\r", "", StringComparison.Ordinal));
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return directory;
    }
}
