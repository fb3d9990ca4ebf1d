using Microsoft.Extensions.Logging.Abstractions;
using VolumeDriver.Configuration;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.Host;
using VolumeDriver.Node;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Node;

/// <summary>
/// Decisions of <see cref="FilesystemResizer"/> over a fake /dev and /sys tree, a scripted process
/// runner (which fails on any command not expected, in order) and a scripted mount table. The
/// real-Linux resize runs through the published binary in Contract/LoopResizeTests.cs.
/// </summary>
public sealed class FilesystemResizerTests : IDisposable
{
    private const string Device = "/dev/loop3";
    private const string MountPath = "/var/lib/kubelet/plugins/kubernetes.io/flexvolume/example/driver/mounts/pv-1";

    /// <summary>128 MiB in 512-byte sectors, as /sys/class/block/NAME/size counts.</summary>
    private const string Sectors128Mi = "262144\n";

    private static readonly ByteSize NewSize = new(128L << 20);
    private static readonly string[] BlkidArgs = ["-p", "-o", "export", Device];

    private readonly FakeHostTree _tree = new FakeHostTree().AddBlockDevice("loop3", 7, 3);
    private readonly ScriptedProcessRunner _runner = new();
    private readonly FakeMountTable _mounts = new();

    public FilesystemResizerTests()
    {
        _tree.Write("/sys/class/block/loop3/size", Sectors128Mi);
    }

    public void Dispose() => _tree.Dispose();

    [Fact]
    public async Task ResizeAsync_MountedExt4_RunsResize2fsOnTheDevice()
    {
        _mounts.Then(FakeMountTable.Entry(Device, 7, 3, MountPath));
        _runner.Expect("blkid", BlkidArgs, stdout: BlockDeviceProbeTests.Ext4Export)
            .Expect("resize2fs", [Device], stdout: "Filesystem at /dev/loop3 is mounted on ...; on-line resizing required\n");

        var outcome = await Resizer().ResizeAsync(Request(), CancellationToken.None).WithTimeout();

        Assert.Equal(new FilesystemResizeOutcome(Device, "ext4", 128L << 20), outcome);
        _runner.VerifyAllRan();
    }

    [Fact]
    public async Task ResizeAsync_MountedXfs_RunsXfsGrowfsOnTheMountPoint()
    {
        _mounts.Then(FakeMountTable.Entry(Device, 7, 3, MountPath, fsType: "xfs"));
        _runner.Expect("blkid", BlkidArgs, stdout: BlockDeviceProbeTests.XfsExport)
            .Expect("xfs_growfs", [MountPath]);

        var outcome = await Resizer().ResizeAsync(Request(), CancellationToken.None).WithTimeout();

        Assert.Equal("xfs", outcome.FsType);
        _runner.VerifyAllRan();
    }

    [Fact]
    public async Task ResizeAsync_AlreadyGrown_Succeeds()
    {
        _mounts.Then(FakeMountTable.Entry(Device, 7, 3, MountPath));
        _runner.Expect("blkid", BlkidArgs, stdout: BlockDeviceProbeTests.Ext4Export)
            .Expect("resize2fs", [Device], stderr: "The filesystem is already 131072 (1k) blocks long.  Nothing to do!\n");

        await Resizer().ResizeAsync(Request(), CancellationToken.None).WithTimeout();

        _runner.VerifyAllRan();
    }

    [Fact]
    public async Task ResizeAsync_ThroughASymlink_WorksOnTheKernelDevice()
    {
        _tree.Link("/dev/disk/by-id/volume-pv-1", "../../loop3");
        _mounts.Then(FakeMountTable.Entry(Device, 7, 3, MountPath));
        _runner.Expect("blkid", BlkidArgs, stdout: BlockDeviceProbeTests.Ext4Export)
            .Expect("resize2fs", [Device]);

        var outcome = await Resizer().ResizeAsync(Request("/dev/disk/by-id/volume-pv-1"), CancellationToken.None).WithTimeout();

        Assert.Equal(Device, outcome.ResolvedDevice);
    }

    [Fact]
    public async Task ResizeAsync_NothingMounted_FailsWithoutRunningAnything()
    {
        var e = await Assert.ThrowsAsync<FilesystemResizeException>(() => Resizer().ResizeAsync(Request(), CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Contains("nothing is mounted", e.Message, StringComparison.Ordinal);
        Assert.Empty(_runner.Ran);
    }

    [Fact]
    public async Task ResizeAsync_MountedFromAnotherDevice_IsRefusedWithoutRunningAnything()
    {
        _tree.AddBlockDevice("loop4", 7, 4);
        _mounts.Then(FakeMountTable.Entry("/dev/loop4", 7, 4, MountPath));

        var e = await Assert.ThrowsAsync<UnsafeOperationException>(() => Resizer().ResizeAsync(Request(), CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Contains("/dev/loop4", e.Message, StringComparison.Ordinal);
        Assert.Contains(Device, e.Message, StringComparison.Ordinal);
        Assert.Empty(_runner.Ran);
    }

    [Fact]
    public async Task ResizeAsync_BindMountOfASubdirectory_IsRefused()
    {
        _mounts.Then(FakeMountTable.Entry(Device, 7, 3, MountPath, root: "/data"));

        var e = await Assert.ThrowsAsync<UnsafeOperationException>(() => Resizer().ResizeAsync(Request(), CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Contains("subdirectory /data", e.Message, StringComparison.Ordinal);
        Assert.Empty(_runner.Ran);
    }

    [Fact]
    public async Task ResizeAsync_MountedReadOnly_FailsWithoutRunningAnything()
    {
        _mounts.Then(FakeMountTable.Entry(Device, 7, 3, MountPath, options: "ro,relatime"));

        var e = await Assert.ThrowsAsync<FilesystemResizeException>(() => Resizer().ResizeAsync(Request(), CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Contains("read-only", e.Message, StringComparison.Ordinal);
        Assert.Empty(_runner.Ran);
    }

    [Fact]
    public async Task ResizeAsync_DeviceStillSmallerThanTheNewSize_FailsBeforeResize2fs()
    {
        _tree.Write("/sys/class/block/loop3/size", "131072\n");
        _mounts.Then(FakeMountTable.Entry(Device, 7, 3, MountPath));
        _runner.Expect("blkid", BlkidArgs, stdout: BlockDeviceProbeTests.Ext4Export);

        var e = await Assert.ThrowsAsync<FilesystemResizeException>(() => Resizer().ResizeAsync(Request(), CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Contains("67108864 bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains("expandvolume", e.Message, StringComparison.Ordinal);
        Assert.Equal(["blkid -p -o export /dev/loop3"], _runner.Ran);
    }

    [Fact]
    public async Task ResizeAsync_ScsiDisk_IsRescannedBeforeGrowing()
    {
        _tree.AddBlockDevice("sdc", 8, 32);
        _tree.Write("/sys/class/block/sdc/size", Sectors128Mi);
        _tree.Write("/sys/class/block/sdc/device/rescan", string.Empty);
        _mounts.Then(FakeMountTable.Entry("/dev/sdc", 8, 32, MountPath));
        _runner.Expect("blkid", ["-p", "-o", "export", "/dev/sdc"], stdout: BlockDeviceProbeTests.Ext4Export)
            .Expect("resize2fs", ["/dev/sdc"]);

        await Resizer().ResizeAsync(Request("/dev/sdc"), CancellationToken.None).WithTimeout();

        Assert.Equal("1", File.ReadAllText(_tree.Root.Map("/sys/class/block/sdc/device/rescan")));
        _runner.VerifyAllRan();
    }

    [Fact]
    public async Task ResizeAsync_Resize2fsFails_MessageNamesTheToolTheDeviceAndItsOutput()
    {
        _mounts.Then(FakeMountTable.Entry(Device, 7, 3, MountPath));
        _runner.Expect("blkid", BlkidArgs, stdout: BlockDeviceProbeTests.Ext4Export)
            .Expect("resize2fs", [Device], exitCode: 1, stderr: "resize2fs: Permission denied to resize filesystem\n");

        var e = await Assert.ThrowsAsync<CommandFailedException>(() => Resizer().ResizeAsync(Request(), CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Equal("resize2fs", e.Tool);
        Assert.Contains("resize2fs /dev/loop3", e.Message, StringComparison.Ordinal);
        Assert.Contains("Permission denied to resize filesystem", e.Message, StringComparison.Ordinal);
        Assert.Contains(MountPath, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("000001fffeffffff", true)]
    [InlineData("000001ffffffffff", false)]
    public async Task ResizeAsync_Resize2fsDenied_SaysWhetherCapSysResourceIsMissing(string effective, bool missing)
    {
        _tree.Write("/proc/self/status", $"Name:\tvolume-driver\nCapPrm:\t{effective}\nCapEff:\t{effective}\n");
        _mounts.Then(FakeMountTable.Entry(Device, 7, 3, MountPath));
        _runner.Expect("blkid", BlkidArgs, stdout: BlockDeviceProbeTests.Ext4Export)
            .Expect("resize2fs", [Device], exitCode: 1, stderr: "resize2fs: Permission denied to resize filesystem\n");

        var e = await Assert.ThrowsAsync<CommandFailedException>(() => Resizer().ResizeAsync(Request(), CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Equal(missing, e.Message.Contains("CAP_SYS_RESOURCE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ResizeAsync_DeviceHoldsNoGrowableFilesystem_FailsWithoutGrowing()
    {
        _mounts.Then(FakeMountTable.Entry(Device, 7, 3, MountPath, fsType: "swap"));
        _runner.Expect("blkid", BlkidArgs, stdout: BlockDeviceProbeTests.SwapExport);

        var e = await Assert.ThrowsAsync<FilesystemResizeException>(() => Resizer().ResizeAsync(Request(), CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Contains("swap", e.Message, StringComparison.Ordinal);
        _runner.VerifyAllRan();
    }

    [Fact]
    public async Task ResizeAsync_ProbeDisagreesWithTheMountTable_IsRefused()
    {
        _mounts.Then(FakeMountTable.Entry(Device, 7, 3, MountPath, fsType: "ext4"));
        _runner.Expect("blkid", BlkidArgs, stdout: BlockDeviceProbeTests.XfsExport);

        await Assert.ThrowsAsync<UnsafeOperationException>(() => Resizer().ResizeAsync(Request(), CancellationToken.None).WithTimeout()).WithTimeout();

        _runner.VerifyAllRan();
    }

    [Fact]
    public async Task ResizeAsync_NoSuchDevice_FailsNamingIt()
    {
        var e = await Assert.ThrowsAsync<DeviceNotFoundException>(() => Resizer().ResizeAsync(Request("/dev/loop9"), CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Contains("/dev/loop9", e.Message, StringComparison.Ordinal);
        Assert.Empty(_runner.Ran);
    }

    [Fact]
    public void Command_IsResize2fsOnTheDeviceForExt4_AndXfsGrowfsOnTheMountPointForXfs()
    {
        var (ext4Tool, ext4Arguments) = FilesystemResizer.Command(FsType.Ext4, "/dev/sdc", "/mnt/x");
        var (xfsTool, xfsArguments) = FilesystemResizer.Command(FsType.Xfs, "/dev/sdc", "/mnt/x");
        Assert.Equal("resize2fs", ext4Tool);
        Assert.Equal(["/dev/sdc"], ext4Arguments);
        Assert.Equal("xfs_growfs", xfsTool);
        Assert.Equal(["/mnt/x"], xfsArguments);
    }

    private static FilesystemResizeRequest Request(string device = Device) => new(device, MountPath, NewSize);

    private FilesystemResizer Resizer() => new(
        _runner,
        _mounts,
        new BlockDeviceProbe(_runner, NodeConfiguration.Defaults),
        _tree.Root,
        NodeConfiguration.Defaults,
        new ManualTimeProvider(),
        NullLogger<FilesystemResizer>.Instance);
}
