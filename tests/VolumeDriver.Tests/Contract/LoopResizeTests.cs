using System.Globalization;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Contract;

/// <summary>
/// Online resize through the published binary, run as kubelet runs it, on real loop devices:
/// expandvolume grows the image and the loop device, expandfs grows the mounted filesystem, and
/// df on the mount sees the new size with the data still there. Needs root.
/// </summary>
public sealed class LoopResizeTests
{
    private const string Node = LoopVolumeFixture.NodeName;
    private const long Mi = 1L << 20;

    [LifecycleFact("resize2fs", "df", CapSysResource = CapabilityRequirement.Present)]
    public async Task Ext4_GrowMountedVolume_DfShowsTheNewSizeAndTheDataIsKept()
    {
        await GrowMountedVolumeAsync("pv-grow-ext4", "ext4", 64 * Mi, 128 * Mi).WithTimeout();
    }

    /// <summary>
    /// Where the kernel will not grow a mounted ext4 (no CAP_SYS_RESOURCE, as in many containers),
    /// expandfs is a Failure that says why, and the disk's grown size and the data are kept.
    /// </summary>
    [LifecycleFact("resize2fs", "df", CapSysResource = CapabilityRequirement.Absent)]
    public async Task Ext4_WithoutCapSysResource_ExpandFsFailsNamingIt_AndKeepsTheData()
    {
        await using var fixture = new LoopVolumeFixture();
        var options = LoopVolumeFixture.Options("pv-grow-nocap", size: Bytes(64 * Mi), fsType: "ext4");
        var mount = fixture.MountPath("pv-grow-nocap");
        var device = (await fixture.ExpectAsync("Success", "attach", options, Node).WithTimeout()).Device!;
        await fixture.ExpectAsync("Success", "mountdevice", mount, device, options).WithTimeout();
        await File.WriteAllTextAsync(Path.Join(mount, "data.txt"), "kept").WithTimeout();
        var before = await DfSizeAsync(mount).WithTimeout();
        await fixture.ExpectAsync("Success", "expandvolume", options, mount, Bytes(128 * Mi), Bytes(64 * Mi)).WithTimeout();
        Assert.Equal(128 * Mi, DeviceSize(device));

        var failure = await fixture.ExpectAsync("Failure", "expandfs", options, device, mount, Bytes(128 * Mi), Bytes(64 * Mi)).WithTimeout();

        Assert.Contains("resize2fs " + device, failure.Message, StringComparison.Ordinal);
        Assert.Contains("CAP_SYS_RESOURCE", failure.Message, StringComparison.Ordinal);
        Assert.Equal(before, await DfSizeAsync(mount).WithTimeout());
        Assert.Equal("kept", await File.ReadAllTextAsync(Path.Join(mount, "data.txt")).WithTimeout());
        await fixture.ExpectAsync("Success", "unmountdevice", mount).WithTimeout();
        await fixture.ExpectAsync("Success", "detach", "pv-grow-nocap", Node).WithTimeout();
        await fixture.ExpectAsync("Success", "delete", "pv-grow-nocap").WithTimeout();
    }

    [LifecycleFact("mkfs.xfs", "xfs_growfs", "df")]
    public async Task Xfs_GrowMountedVolume_DfShowsTheNewSizeAndTheDataIsKept()
    {
        // mkfs.xfs refuses devices under 300 MiB.
        await GrowMountedVolumeAsync("pv-grow-xfs", "xfs", 320 * Mi, 400 * Mi).WithTimeout();
    }

    [LifecycleFact("resize2fs")]
    public async Task ExpandFs_VolumeNotMounted_FailsAndChangesNothing()
    {
        await using var fixture = new LoopVolumeFixture();
        var options = LoopVolumeFixture.Options("pv-grow-unmounted", size: "64Mi");
        var mount = fixture.MountPath("pv-grow-unmounted");
        var device = (await fixture.ExpectAsync("Success", "attach", options, Node).WithTimeout()).Device!;
        await fixture.ExpectAsync("Success", "mountdevice", mount, device, options).WithTimeout();
        await fixture.ExpectAsync("Success", "unmountdevice", mount).WithTimeout();
        await fixture.ExpectAsync("Success", "expandvolume", options, mount, Bytes(128 * Mi), Bytes(64 * Mi)).WithTimeout();

        var failure = await fixture.ExpectAsync("Failure", "expandfs", options, device, mount, Bytes(128 * Mi), Bytes(64 * Mi)).WithTimeout();

        Assert.Contains("nothing is mounted", failure.Message, StringComparison.Ordinal);
        await fixture.ExpectAsync("Success", "detach", "pv-grow-unmounted", Node).WithTimeout();
        await fixture.ExpectAsync("Success", "delete", "pv-grow-unmounted").WithTimeout();
    }

    [LifecycleFact]
    public async Task ExpandVolume_MissingVolume_FailsNamingIt()
    {
        await using var fixture = new LoopVolumeFixture();
        var options = LoopVolumeFixture.Options("pv-grow-missing", size: "64Mi");

        var failure = await fixture.ExpectAsync("Failure", "expandvolume", options, fixture.MountPath("pv-grow-missing"), Bytes(128 * Mi), Bytes(64 * Mi)).WithTimeout();

        Assert.Contains("pv-grow-missing", failure.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(fixture.ImagePath("pv-grow-missing")));
    }

    private static async Task GrowMountedVolumeAsync(string volume, string fsType, long oldSize, long newSize)
    {
        await using var fixture = new LoopVolumeFixture();
        var options = LoopVolumeFixture.Options(volume, size: Bytes(oldSize), fsType: fsType);
        var mount = fixture.MountPath(volume);
        var device = (await fixture.ExpectAsync("Success", "attach", options, Node).WithTimeout()).Device!;
        Assert.Equal(device, (await fixture.ExpectAsync("Success", "waitforattach", device, options).WithTimeout()).Device);
        await fixture.ExpectAsync("Success", "mountdevice", mount, device, options).WithTimeout();
        var data = Path.Join(mount, "data.bin");
        var content = Enumerable.Range(0, 1 << 20).Select(i => (byte)(i * 31)).ToArray();
        await File.WriteAllBytesAsync(data, content).WithTimeout();
        var before = await DfSizeAsync(mount).WithTimeout();
        Assert.True(before <= oldSize, $"df shows {before} bytes before the resize, more than the {oldSize}-byte disk");

        await fixture.ExpectAsync("Success", "expandvolume", options, mount, Bytes(newSize), Bytes(oldSize)).WithTimeout();
        Assert.Equal(newSize, new FileInfo(fixture.ImagePath(volume)).Length);
        Assert.Equal(newSize, DeviceSize(device));
        Assert.Equal(before, await DfSizeAsync(mount).WithTimeout());

        await fixture.ExpectAsync("Success", "expandfs", options, device, mount, Bytes(newSize), Bytes(oldSize)).WithTimeout();
        // Roughly all of the added space shows in df (xfs keeps its log and ext4 its metadata out of it).
        var after = await DfSizeAsync(mount).WithTimeout();
        Assert.True(after <= newSize && after - before >= (newSize - oldSize) * 85 / 100, $"df shows {before} bytes before and {after} bytes after growing a {oldSize}-byte {fsType} volume to {newSize} bytes\n--- log ---\n{fixture.ReadLog()}");
        Assert.Equal(content, await File.ReadAllBytesAsync(data).WithTimeout());

        // kubelet retries: both verbs again change nothing and succeed.
        await fixture.ExpectAsync("Success", "expandvolume", options, mount, Bytes(newSize), Bytes(oldSize)).WithTimeout();
        await fixture.ExpectAsync("Success", "expandfs", options, device, mount, Bytes(newSize), Bytes(oldSize)).WithTimeout();
        Assert.Equal(after, await DfSizeAsync(mount).WithTimeout());
        Assert.Equal(newSize, new FileInfo(fixture.ImagePath(volume)).Length);

        // Shrinking is refused, whether the arguments say so or only the disk's size does.
        var shrink = await fixture.ExpectAsync("Failure", "expandvolume", options, mount, Bytes(oldSize), Bytes(newSize)).WithTimeout();
        Assert.Contains("smaller than oldSizeBytes", shrink.Message, StringComparison.Ordinal);
        var stale = await fixture.ExpectAsync("Failure", "expandvolume", options, mount, Bytes(oldSize), Bytes(oldSize)).WithTimeout();
        Assert.Contains("refusing to shrink", stale.Message, StringComparison.Ordinal);
        await fixture.ExpectAsync("Failure", "expandfs", options, device, mount, Bytes(oldSize), Bytes(newSize)).WithTimeout();
        Assert.Equal(newSize, new FileInfo(fixture.ImagePath(volume)).Length);
        Assert.Equal(newSize, DeviceSize(device));
        Assert.Equal(after, await DfSizeAsync(mount).WithTimeout());
        Assert.Equal(content, await File.ReadAllBytesAsync(data).WithTimeout());

        // The grown filesystem survives a full unmount, detach and re-attach.
        await fixture.ExpectAsync("Success", "unmountdevice", mount).WithTimeout();
        await fixture.ExpectAsync("Success", "detach", volume, Node).WithTimeout();
        var again = (await fixture.ExpectAsync("Success", "attach", options, Node).WithTimeout()).Device!;
        await fixture.ExpectAsync("Success", "mountdevice", mount, again, options).WithTimeout();
        Assert.Equal(after, await DfSizeAsync(mount).WithTimeout());
        Assert.Equal(content, await File.ReadAllBytesAsync(data).WithTimeout());
        await fixture.ExpectAsync("Success", "unmountdevice", mount).WithTimeout();
        await fixture.ExpectAsync("Success", "detach", volume, Node).WithTimeout();
        await fixture.ExpectAsync("Success", "delete", volume).WithTimeout();
    }

    private static string Bytes(long bytes) => bytes.ToString(CultureInfo.InvariantCulture);

    /// <summary>The filesystem's size as df reports it (statvfs: total blocks × block size).</summary>
    private static async Task<long> DfSizeAsync(string mount)
    {
        var output = await LoopVolumeFixture.RunToolAsync("df", "--block-size=1", "--output=size", mount).WithTimeout();
        return long.Parse(output.Trim().Split('\n')[^1].Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>The loop device's size as the kernel sees it.</summary>
    private static long DeviceSize(string device) =>
        long.Parse(File.ReadAllText($"/sys/block/{Path.GetFileName(device)}/size").Trim(), CultureInfo.InvariantCulture) * 512;
}
