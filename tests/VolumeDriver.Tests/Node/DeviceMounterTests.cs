using System.Runtime.Versioning;
using Microsoft.Extensions.Logging.Abstractions;
using VolumeDriver.Configuration;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.Host;
using VolumeDriver.Node;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Node;

/// <summary>
/// Decisions of <see cref="DeviceMounter"/> over a fake /dev and /sys tree, a scripted process runner
/// (which fails on any command not expected, in order) and a scripted mount table. The real-Linux
/// tests are in DeviceMounterTests.Linux.cs.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed partial class DeviceMounterTests : IDisposable
{
    private const string Device = "/dev/loop3";
    private const string MountPath = "/var/lib/kubelet/plugins/kubernetes.io/flexvolume/example/driver/mounts/pv-1";

    private static readonly string[] BlkidArgs = ["-p", "-o", "export", Device];
    private static readonly string[] WipefsArgs = ["--no-act", Device];

    private readonly FakeHostTree _tree = new FakeHostTree().AddBlockDevice("loop3", 7, 3);
    private readonly ScriptedProcessRunner _runner = new();
    private readonly FakeMountTable _mounts = new();

    public void Dispose() => _tree.Dispose();

    [Fact]
    public async Task MountDeviceAsync_BlankDevice_FormatsThenMounts()
    {
        _runner.Expect("blkid", BlkidArgs, exitCode: 2)
            .Expect("wipefs", WipefsArgs)
            .Expect("mkfs.ext4", ["-F", "-m0", Device])
            .Expect("blkid", BlkidArgs, stdout: BlockDeviceProbeTests.Ext4Export)
            .Expect("mount", ["-t", "ext4", Device, MountPath]);

        var outcome = await Mounter().MountDeviceAsync(Request(), CancellationToken.None).WithTimeout();

        Assert.Equal(new MountDeviceOutcome(Formatted: true, AlreadyMounted: false, ResolvedDevice: Device), outcome);
        _runner.VerifyAllRan();
        Assert.True(Directory.Exists(_tree.Root.Map(MountPath)));
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute,
            File.GetUnixFileMode(_tree.Root.Map(MountPath)));
    }

    [Fact]
    public async Task MountDeviceAsync_BlankDeviceXfs_FormatsWithMkfsXfsWithoutForce()
    {
        _runner.Expect("blkid", BlkidArgs, exitCode: 2)
            .Expect("wipefs", WipefsArgs)
            .Expect("mkfs.xfs", [Device])
            .Expect("blkid", BlkidArgs, stdout: BlockDeviceProbeTests.XfsExport)
            .Expect("mount", ["-t", "xfs", "-o", "noatime", Device, MountPath]);

        var outcome = await Mounter().MountDeviceAsync(Request(FsType.Xfs, options: "noatime"), CancellationToken.None).WithTimeout();

        Assert.True(outcome.Formatted);
        _runner.VerifyAllRan();
    }

    [Fact]
    public async Task MountDeviceAsync_Ext4Present_MountsWithoutFormatting()
    {
        _runner.Expect("blkid", BlkidArgs, stdout: BlockDeviceProbeTests.Ext4Export)
            .Expect("mount", ["-t", "ext4", "-o", "noatime,discard", Device, MountPath]);

        var outcome = await Mounter().MountDeviceAsync(Request(options: "noatime,discard"), CancellationToken.None).WithTimeout();

        Assert.Equal(new MountDeviceOutcome(Formatted: false, AlreadyMounted: false, ResolvedDevice: Device), outcome);
        _runner.VerifyAllRan();
    }

    [Theory]
    [InlineData(BlockDeviceProbeTests.SwapExport, "swap")]
    [InlineData(BlockDeviceProbeTests.LuksExport, "crypto_LUKS")]
    [InlineData(BlockDeviceProbeTests.DosExport, "dos partition table")]
    [InlineData(BlockDeviceProbeTests.XfsExport, "holds xfs, the volume asks for ext4")]
    public async Task MountDeviceAsync_DeviceHoldsSomethingElse_RefusesWithoutMkfsOrMount(string export, string expected)
    {
        _runner.Expect("blkid", BlkidArgs, stdout: export);

        var e = await Assert.ThrowsAsync<UnsafeOperationException>(() => Mounter().MountDeviceAsync(Request(), CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains(Device, e.Message, StringComparison.Ordinal);
        Assert.Equal(["blkid -p -o export /dev/loop3"], _runner.Ran);
    }

    [Fact]
    public async Task MountDeviceAsync_FsTypeMismatch_MessageSaysHowToFixIt()
    {
        _runner.Expect("blkid", BlkidArgs, stdout: BlockDeviceProbeTests.XfsExport);

        var e = await Assert.ThrowsAsync<UnsafeOperationException>(() => Mounter().MountDeviceAsync(Request(), CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Contains("refusing to reformat or mount it as ext4", e.Message, StringComparison.Ordinal);
        Assert.Contains("fsType", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MountDeviceAsync_WipefsDisagreesWithBlkid_RefusesWithoutMkfs()
    {
        _runner.Expect("blkid", BlkidArgs, exitCode: 2)
            .Expect("wipefs", WipefsArgs, stdout: "DEVICE OFFSET TYPE UUID LABEL\nloop3  0x0    crypto_LUKS 0b3f6f27\n");

        await Assert.ThrowsAsync<UnsafeOperationException>(() => Mounter().MountDeviceAsync(Request(), CancellationToken.None).WithTimeout()).WithTimeout();

        _runner.VerifyAllRan();
    }

    [Fact]
    public async Task MountDeviceAsync_BlkidAmbivalent_RefusesWithoutMkfs()
    {
        _runner.Expect("blkid", BlkidArgs, exitCode: 8);

        await Assert.ThrowsAsync<UnsafeOperationException>(() => Mounter().MountDeviceAsync(Request(), CancellationToken.None).WithTimeout()).WithTimeout();

        _runner.VerifyAllRan();
    }

    [Fact]
    public async Task MountDeviceAsync_ReadOnlyBlank_RefusesToFormat()
    {
        _runner.Expect("blkid", BlkidArgs, exitCode: 2).Expect("wipefs", WipefsArgs);

        var e = await Assert.ThrowsAsync<UnsafeOperationException>(
            () => Mounter().MountDeviceAsync(Request(readOnly: true), CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Contains("refusing to format a read-only volume", e.Message, StringComparison.Ordinal);
        _runner.VerifyAllRan();
    }

    [Fact]
    public async Task MountDeviceAsync_RoInUserOptionsOnBlank_RefusesToFormat()
    {
        _runner.Expect("blkid", BlkidArgs, exitCode: 2).Expect("wipefs", WipefsArgs);

        await Assert.ThrowsAsync<UnsafeOperationException>(
            () => Mounter().MountDeviceAsync(Request(options: "ro"), CancellationToken.None).WithTimeout()).WithTimeout();

        _runner.VerifyAllRan();
    }

    [Fact]
    public async Task MountDeviceAsync_ReadOnlyExt4_MountsWithRo()
    {
        _runner.Expect("blkid", BlkidArgs, stdout: BlockDeviceProbeTests.Ext4Export)
            .Expect("mount", ["-t", "ext4", "-o", "ro", Device, MountPath]);

        var outcome = await Mounter().MountDeviceAsync(Request(readOnly: true), CancellationToken.None).WithTimeout();

        Assert.False(outcome.Formatted);
        _runner.VerifyAllRan();
    }

    [Fact]
    public async Task MountDeviceAsync_ReadOnlyWithUserRw_DropsRwAndAddsRo()
    {
        _runner.Expect("blkid", BlkidArgs, stdout: BlockDeviceProbeTests.Ext4Export)
            .Expect("mount", ["-t", "ext4", "-o", "noatime,ro", Device, MountPath]);

        await Mounter().MountDeviceAsync(Request(readOnly: true, options: "rw,noatime,ro"), CancellationToken.None).WithTimeout();

        _runner.VerifyAllRan();
    }

    [Fact]
    public async Task MountDeviceAsync_AlreadyMountedFromThisDevice_RunsNothing()
    {
        _mounts.Then(FakeMountTable.Entry("/dev/loop3", 7, 3, MountPath));

        var outcome = await Mounter().MountDeviceAsync(Request(), CancellationToken.None).WithTimeout();

        Assert.Equal(new MountDeviceOutcome(Formatted: false, AlreadyMounted: true, ResolvedDevice: Device), outcome);
        Assert.Empty(_runner.Ran);
    }

    [Fact]
    public async Task MountDeviceAsync_AlreadyMountedUnderAnotherName_MatchesByDeviceNumber()
    {
        // mountinfo may name the source differently (a by-id path, a mapper name): the number decides.
        _mounts.Then(FakeMountTable.Entry("/dev/disk/by-id/virtio-pv-1", 7, 3, MountPath));

        var outcome = await Mounter().MountDeviceAsync(Request(), CancellationToken.None).WithTimeout();

        Assert.True(outcome.AlreadyMounted);
        Assert.Empty(_runner.Ran);
    }

    [Fact]
    public async Task MountDeviceAsync_MountedFromAnotherDevice_Refuses()
    {
        _mounts.Then(FakeMountTable.Entry("/dev/loop9", 7, 9, MountPath));

        var e = await Assert.ThrowsAsync<UnsafeOperationException>(() => Mounter().MountDeviceAsync(Request(), CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Contains("/dev/loop9", e.Message, StringComparison.Ordinal);
        Assert.Empty(_runner.Ran);
    }

    [Fact]
    public async Task MountDeviceAsync_MountedReadWriteButAskedReadOnly_Refuses()
    {
        _mounts.Then(FakeMountTable.Entry("/dev/loop3", 7, 3, MountPath, options: "rw,relatime"));

        var e = await Assert.ThrowsAsync<UnsafeOperationException>(
            () => Mounter().MountDeviceAsync(Request(readOnly: true), CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Contains("read-write", e.Message, StringComparison.Ordinal);
        Assert.Empty(_runner.Ran);
    }

    [Fact]
    public async Task MountDeviceAsync_MountedAsExt4ButAskedXfs_RefusesSayingBoth()
    {
        _mounts.Then(FakeMountTable.Entry("/dev/loop3", 7, 3, MountPath, fsType: "ext4"));

        var e = await Assert.ThrowsAsync<UnsafeOperationException>(
            () => Mounter().MountDeviceAsync(Request(FsType.Xfs), CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Contains("is ext4, the volume asks for xfs", e.Message, StringComparison.Ordinal);
        Assert.Empty(_runner.Ran);
    }

    [Theory]
    [InlineData("rw,relatime", "noexec,nosuid", "lacks nosuid; lacks noexec")]
    [InlineData("rw,nosuid,nodev,noexec,relatime", "nosuid,nodev", "has noexec, which the volume does not ask for")]
    public async Task MountDeviceAsync_MountedWithOtherSafetyFlags_RefusesNamingThem(string mounted, string asked, string expected)
    {
        _mounts.Then(FakeMountTable.Entry("/dev/loop3", 7, 3, MountPath, options: mounted));

        var e = await Assert.ThrowsAsync<UnsafeOperationException>(
            () => Mounter().MountDeviceAsync(Request(options: asked), CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Empty(_runner.Ran);
    }

    [Fact]
    public async Task MountDeviceAsync_MountedWithTheSameSafetyFlags_IsAlreadyMounted()
    {
        _mounts.Then(FakeMountTable.Entry("/dev/loop3", 7, 3, MountPath, options: "rw,nosuid,nodev,noatime"));

        var outcome = await Mounter().MountDeviceAsync(Request(options: "noatime,nosuid,nodev"), CancellationToken.None).WithTimeout();

        Assert.True(outcome.AlreadyMounted);
    }

    [Fact]
    public async Task MountDeviceAsync_MountPathIsARegularFile_RefusesBeforeProbing()
    {
        _tree.Write(MountPath, "a file");

        var e = await Assert.ThrowsAsync<UnsafeOperationException>(() => Mounter().MountDeviceAsync(Request(), CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Contains("not a directory", e.Message, StringComparison.Ordinal);
        Assert.Empty(_runner.Ran);
    }

    [Fact]
    public async Task MountDeviceAsync_SymlinkedDevicePath_WorksOnTheKernelDevice()
    {
        _tree.Link("/dev/disk/by-id/virtio-pv-1", "../../loop3");
        _runner.Expect("blkid", BlkidArgs, stdout: BlockDeviceProbeTests.Ext4Export)
            .Expect("mount", ["-t", "ext4", Device, MountPath]);

        var outcome = await Mounter().MountDeviceAsync(Request(devicePath: "/dev/disk/by-id/virtio-pv-1"), CancellationToken.None).WithTimeout();

        Assert.Equal(Device, outcome.ResolvedDevice);
        _runner.VerifyAllRan();
    }

    [Fact]
    public async Task MountDeviceAsync_NotABlockDevice_ThrowsDeviceNotFound()
    {
        _tree.Write("/dev/not-a-disk", string.Empty);

        var e = await Assert.ThrowsAsync<DeviceNotFoundException>(
            () => Mounter().MountDeviceAsync(Request(devicePath: "/dev/not-a-disk"), CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Contains("/dev/not-a-disk", e.Message, StringComparison.Ordinal);
        Assert.Empty(_runner.Ran);
    }

    [Fact]
    public async Task MountDeviceAsync_MissingDevice_ThrowsDeviceNotFound()
    {
        await Assert.ThrowsAsync<DeviceNotFoundException>(
            () => Mounter().MountDeviceAsync(Request(devicePath: "/dev/loop42"), CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Empty(_runner.Ran);
    }

    [Fact]
    public async Task MountDeviceAsync_KernelSeesPartitions_RefusesWithoutProbing()
    {
        _tree.Write("/sys/class/block/loop3/loop3p1/partition", "1\n");

        var e = await Assert.ThrowsAsync<UnsafeOperationException>(() => Mounter().MountDeviceAsync(Request(), CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Contains("loop3p1", e.Message, StringComparison.Ordinal);
        Assert.Empty(_runner.Ran);
    }

    [Fact]
    public async Task MountDeviceAsync_MkfsFails_DoesNotMount()
    {
        _runner.Expect("blkid", BlkidArgs, exitCode: 2)
            .Expect("wipefs", WipefsArgs)
            .Expect("mkfs.ext4", ["-F", "-m0", Device], exitCode: 1, stderr: "mke2fs: Device size reported to be zero.");

        var e = await Assert.ThrowsAsync<CommandFailedException>(() => Mounter().MountDeviceAsync(Request(), CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Contains("Device size reported to be zero", e.Message, StringComparison.Ordinal);
        _runner.VerifyAllRan();
    }

    [Fact]
    public async Task MountDeviceAsync_BlkidDoesNotSeeTheNewFilesystem_DoesNotMount()
    {
        _runner.Expect("blkid", BlkidArgs, exitCode: 2)
            .Expect("wipefs", WipefsArgs)
            .Expect("mkfs.ext4", ["-F", "-m0", Device])
            .Expect("blkid", BlkidArgs, exitCode: 2)
            .Expect("wipefs", WipefsArgs);

        await Assert.ThrowsAsync<UnsafeOperationException>(() => Mounter().MountDeviceAsync(Request(), CancellationToken.None).WithTimeout()).WithTimeout();

        _runner.VerifyAllRan();
    }

    [Fact]
    public async Task MountDeviceAsync_MountFails_ThrowsWithMountOutput()
    {
        _runner.Expect("blkid", BlkidArgs, stdout: BlockDeviceProbeTests.Ext4Export)
            .Expect("mount", ["-t", "ext4", Device, MountPath], exitCode: 32, stderr: "mount: wrong fs type, bad option, bad superblock on /dev/loop3");

        var e = await Assert.ThrowsAsync<CommandFailedException>(() => Mounter().MountDeviceAsync(Request(), CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Equal(32, e.ExitCode);
        Assert.Contains("bad superblock", e.Message, StringComparison.Ordinal);
        Assert.Contains(MountPath, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnmountAsync_PathMissing_SucceedsWithoutCommands()
    {
        var outcome = await Mounter().UnmountAsync(MountPath, CancellationToken.None).WithTimeout();

        Assert.Null(outcome.Device);
        Assert.Empty(_runner.Ran);
    }

    [Fact]
    public async Task UnmountAsync_NotAMountPoint_SucceedsWithoutCommands()
    {
        Directory.CreateDirectory(_tree.Root.Map(MountPath));
        _mounts.Then(FakeMountTable.Entry("/dev/vda1", 254, 1, "/"));

        var outcome = await Mounter().UnmountAsync(MountPath, CancellationToken.None).WithTimeout();

        Assert.Null(outcome.Device);
        Assert.Empty(_runner.Ran);
    }

    [Fact]
    public async Task UnmountAsync_Mounted_UnmountsAndReturnsTheDevice()
    {
        Directory.CreateDirectory(_tree.Root.Map(MountPath));
        _mounts.Then(FakeMountTable.Entry("/dev/loop3", 7, 3, MountPath)).Then();
        _runner.Expect("umount", [MountPath]);

        var outcome = await Mounter().UnmountAsync(MountPath + "/", CancellationToken.None).WithTimeout();

        Assert.Equal("/dev/loop3", outcome.Device);
        _runner.VerifyAllRan();
        Assert.True(Directory.Exists(_tree.Root.Map(MountPath)), "kubelet removes the directory, not the driver");
    }

    [Fact]
    public async Task UnmountAsync_StackedMounts_UnmountsAllAndReportsTheBottomDevice()
    {
        Directory.CreateDirectory(_tree.Root.Map(MountPath));
        var lower = FakeMountTable.Entry("/dev/loop3", 7, 3, MountPath);
        var upper = FakeMountTable.Entry("tmpfs", 0, 45, MountPath, fsType: "tmpfs");
        _mounts.Then(lower, upper).Then(lower).Then();
        _runner.Expect("umount", [MountPath]).Expect("umount", [MountPath]);

        var outcome = await Mounter().UnmountAsync(MountPath, CancellationToken.None).WithTimeout();

        Assert.Equal("/dev/loop3", outcome.Device);
        _runner.VerifyAllRan();
    }

    [Fact]
    public async Task UnmountAsync_Busy_ThrowsWithUmountOutput()
    {
        Directory.CreateDirectory(_tree.Root.Map(MountPath));
        _mounts.Then(FakeMountTable.Entry("/dev/loop3", 7, 3, MountPath));
        _runner.Expect("umount", [MountPath], exitCode: 32, stderr: $"umount: {MountPath}: target is busy.");

        var e = await Assert.ThrowsAsync<CommandFailedException>(() => Mounter().UnmountAsync(MountPath, CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Contains("target is busy", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnmountAsync_UmountFailsButPathWasUnmountedMeanwhile_Succeeds()
    {
        Directory.CreateDirectory(_tree.Root.Map(MountPath));
        _mounts.Then(FakeMountTable.Entry("/dev/loop3", 7, 3, MountPath)).Then();
        _runner.Expect("umount", [MountPath], exitCode: 32, stderr: $"umount: {MountPath}: not mounted.");

        var outcome = await Mounter().UnmountAsync(MountPath, CancellationToken.None).WithTimeout();

        Assert.Equal("/dev/loop3", outcome.Device);
    }

    [Fact]
    public async Task UnmountAsync_SomethingKeepsRemounting_GivesUpAfterTheLimit()
    {
        Directory.CreateDirectory(_tree.Root.Map(MountPath));
        _mounts.Then(FakeMountTable.Entry("/dev/loop3", 7, 3, MountPath));
        for (var i = 0; i < DeviceMounter.MaxUnmounts; i++)
        {
            _runner.Expect("umount", [MountPath]);
        }

        await Assert.ThrowsAsync<CommandFailedException>(() => Mounter().UnmountAsync(MountPath, CancellationToken.None).WithTimeout()).WithTimeout();

        _runner.VerifyAllRan();
    }

    [Theory]
    [InlineData("", false, "")]
    [InlineData("", true, "ro")]
    [InlineData("rw,noatime", true, "noatime,ro")]
    [InlineData("ro,noatime", true, "noatime,ro")]
    [InlineData("rw,noatime", false, "rw,noatime")]
    public void MountOptionsFor_Options_AddsRoOnlyWhenReadOnly(string options, bool readOnly, string expected)
    {
        Assert.True(MountOptions.TryParse(options, out var parsed, out _));

        Assert.Equal(expected, string.Join(',', DeviceMounter.MountOptionsFor(parsed, readOnly)));
    }

    private static MountDeviceRequest Request(FsType fsType = FsType.Ext4, bool readOnly = false, string options = "", string devicePath = Device)
    {
        Assert.True(MountOptions.TryParse(options, out var parsed, out var problem), problem);
        return new MountDeviceRequest(devicePath, MountPath, fsType, readOnly, parsed);
    }

    private DeviceMounter Mounter()
    {
        var configuration = NodeConfiguration.Defaults;
        return new DeviceMounter(
            _runner,
            _mounts,
            new BlockDeviceProbe(_runner, configuration),
            new FilesystemFormatter(_runner, configuration),
            new UnsignedDataScanner(_tree.Root),
            _tree.Root,
            configuration,
            new ManualTimeProvider(),
            NullLogger<DeviceMounter>.Instance);
    }
}
