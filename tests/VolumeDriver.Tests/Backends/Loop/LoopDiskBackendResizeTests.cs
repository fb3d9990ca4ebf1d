using Microsoft.Extensions.Logging.Abstractions;
using VolumeDriver.Backends;
using VolumeDriver.Backends.Loop;
using VolumeDriver.Configuration;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.Host;
using VolumeDriver.Locking;
using VolumeDriver.Tests.Node;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Backends;

/// <summary>
/// <see cref="LoopDiskBackend.ResizeAsync"/> over real sparse image files in a temporary directory,
/// a fake /sys tree for the loop devices, and a scripted losetup. The real losetup runs in
/// Contract/LoopResizeTests.cs.
/// </summary>
public sealed class LoopDiskBackendResizeTests : IDisposable
{
    private const string Volume = "pv-grow";
    private const string Loop = "/dev/loop5";
    private const long Mi = 1L << 20;

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("loopbackend-");
    private readonly FakeHostTree _tree = new();
    private readonly ScriptedProcessRunner _runner = new();

    public void Dispose()
    {
        _tree.Dispose();
        _directory.Delete(recursive: true);
    }

    private string ImageDirectory => Path.Join(_directory.FullName, "images");

    private string Image => Path.Join(ImageDirectory, Volume + ".img");

    [Fact]
    public async Task ResizeAsync_Larger_GrowsTheImageAndSetsTheDevicesCapacity()
    {
        CreateImage(64 * Mi);
        Attach(64 * Mi);
        _runner.Expect("losetup", ["--set-capacity", Loop], sideEffect: () => SetDeviceSize(128 * Mi));

        var size = await Backend().ResizeAsync(Request(), new ByteSize(128 * Mi), CancellationToken.None).WithTimeout();

        Assert.Equal(new ByteSize(128 * Mi), size);
        Assert.Equal(128 * Mi, new FileInfo(Image).Length);
        _runner.VerifyAllRan();
    }

    [Fact]
    public async Task ResizeAsync_NotAWholeMiB_RoundsUpAsProvisionDoes()
    {
        CreateImage(64 * Mi);

        var size = await Backend().ResizeAsync(Request(), new ByteSize(100_000_000), CancellationToken.None).WithTimeout();

        Assert.Equal(96 * Mi, size.Bytes);
        Assert.Equal(96 * Mi, new FileInfo(Image).Length);
        Assert.Empty(_runner.Ran);
    }

    [Fact]
    public async Task ResizeAsync_SameSize_ChangesNothingAndRunsNothing()
    {
        CreateImage(128 * Mi);
        Attach(128 * Mi);

        var size = await Backend().ResizeAsync(Request(), new ByteSize(128 * Mi), CancellationToken.None).WithTimeout();
        var again = await Backend().ResizeAsync(Request(), new ByteSize((127 * Mi) + 1), CancellationToken.None).WithTimeout();

        Assert.Equal(128 * Mi, size.Bytes);
        Assert.Equal(128 * Mi, again.Bytes);
        Assert.Equal(128 * Mi, new FileInfo(Image).Length);
        Assert.Empty(_runner.Ran);
    }

    [Fact]
    public async Task ResizeAsync_ImageGrownButDeviceNot_ARetrySetsTheCapacity()
    {
        // A crash between growing the image and losetup --set-capacity leaves exactly this.
        CreateImage(128 * Mi);
        Attach(64 * Mi);
        _runner.Expect("losetup", ["--set-capacity", Loop], sideEffect: () => SetDeviceSize(128 * Mi));

        await Backend().ResizeAsync(Request(), new ByteSize(128 * Mi), CancellationToken.None).WithTimeout();

        _runner.VerifyAllRan();
    }

    [Fact]
    public async Task ResizeAsync_Smaller_IsRefusedAndChangesNothing()
    {
        CreateImage(128 * Mi);
        Attach(128 * Mi);

        var e = await Assert.ThrowsAsync<DiskOperationException>(() => Backend().ResizeAsync(Request(), new ByteSize(64 * Mi), CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Contains("refusing to shrink volume pv-grow", e.Message, StringComparison.Ordinal);
        Assert.Contains("128Mi", e.Message, StringComparison.Ordinal);
        Assert.Equal(128 * Mi, new FileInfo(Image).Length);
        Assert.Empty(_runner.Ran);
    }

    [Fact]
    public async Task ResizeAsync_MissingDisk_FailsNamingIt()
    {
        var e = await Assert.ThrowsAsync<DiskOperationException>(() => Backend().ResizeAsync(Request(), new ByteSize(128 * Mi), CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Contains("pv-grow", e.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Image));
    }

    [Fact]
    public async Task ResizeAsync_KernelStillSeesTheOldSize_Fails()
    {
        CreateImage(64 * Mi);
        Attach(64 * Mi);
        _runner.Expect("losetup", ["--set-capacity", Loop]);

        var e = await Assert.ThrowsAsync<DiskOperationException>(() => Backend().ResizeAsync(Request(), new ByteSize(128 * Mi), CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Contains("still reports 64Mi", e.Message, StringComparison.Ordinal);
        Assert.Contains(Loop, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResizeAsync_SetCapacityFails_FailsNamingLosetupAndTheDevice()
    {
        CreateImage(64 * Mi);
        Attach(64 * Mi);
        _runner.Expect("losetup", ["--set-capacity", Loop], exitCode: 1, stderr: "losetup: /dev/loop5: set capacity failed: Invalid argument");

        var e = await Assert.ThrowsAsync<CommandFailedException>(() => Backend().ResizeAsync(Request(), new ByteSize(128 * Mi), CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Contains("losetup --set-capacity /dev/loop5", e.Message, StringComparison.Ordinal);
        Assert.Contains("Invalid argument", e.Message, StringComparison.Ordinal);
    }

    private static DiskRequest Request()
    {
        Assert.True(VolumeName.TryCreate(Volume, out var name, out var problem), problem);
        return new DiskRequest(name.Value, null, new Dictionary<string, string>());
    }

    private void CreateImage(long bytes)
    {
        Directory.CreateDirectory(ImageDirectory);
        using var file = new FileStream(Image, FileMode.CreateNew, FileAccess.Write);
        file.SetLength(bytes);
    }

    private void Attach(long deviceBytes)
    {
        _tree.AddLoop("loop5", Image);
        SetDeviceSize(deviceBytes);
    }

    private void SetDeviceSize(long bytes) =>
        _tree.Write("/sys/block/loop5/size", (bytes / 512).ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");

    private LoopDiskBackend Backend()
    {
        Assert.True(NodeName.TryCreate("node-1", out var node, out var problem), problem);
        var locks = Path.Join(_directory.FullName, "locks");
        Directory.CreateDirectory(locks);
        return new LoopDiskBackend(
            new LoopConfiguration(ImageDirectory),
            node.Value,
            _tree.Root,
            new LoopDevices(_tree.Root),
            new FakeMountTable(),
            _runner,
            new FileVmLockProvider(locks, TimeProvider.System, NullLogger<FileVmLockProvider>.Instance),
            new LockConfiguration(locks, TimeSpan.FromSeconds(10)),
            TimeSpan.FromSeconds(10),
            NullLogger<LoopDiskBackend>.Instance);
    }
}
