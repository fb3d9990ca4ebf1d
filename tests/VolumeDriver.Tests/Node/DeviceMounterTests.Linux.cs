using System.Buffers.Binary;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using VolumeDriver.Configuration;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.Host;
using VolumeDriver.Node;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Node;

/// <summary>
/// The real-Linux half: real loop devices, blkid, wipefs, mkfs and mount, run as root. Every test
/// makes its own sparse file and loop device and removes them (and any mount) when it ends.
/// </summary>
public sealed partial class DeviceMounterTests
{
    private const long SmallDisk = 64L << 20;

    /// <summary>mkfs.xfs refuses devices under 300 MiB.</summary>
    private const long XfsDisk = 320L << 20;

    [LinuxRootFact("losetup", "blkid", "wipefs", "mkfs.ext4", "mount", "umount")]
    public async Task MountDeviceAsync_RealBlankDevice_FormatsExt4AndMounts()
    {
        await using var loop = await LoopDevice.CreateAsync(SmallDisk).WithTimeout();
        Assert.Empty(await loop.BlkidAsync().WithTimeout());

        var outcome = await RealMounter().MountDeviceAsync(RealRequest(loop), CancellationToken.None).WithTimeout();

        Assert.Equal(new MountDeviceOutcome(Formatted: true, AlreadyMounted: false, ResolvedDevice: loop.Device), outcome);
        Assert.Equal("ext4", (await loop.BlkidAsync().WithTimeout())["TYPE"]);
        var mount = Assert.Single(await loop.MountsAsync().WithTimeout());
        Assert.Equal(loop.Device, mount.Source);
        Assert.Equal("ext4", mount.FsType);
        await File.WriteAllTextAsync(Path.Join(loop.MountPath, "hello.txt"), "hello").WithTimeout();
    }

    [LinuxRootFact("losetup", "blkid", "wipefs", "mkfs.ext4", "mount", "umount")]
    public async Task MountDeviceAsync_RealDeviceHoldsExt4_KeepsTheData()
    {
        await using var loop = await LoopDevice.CreateAsync(SmallDisk).WithTimeout();
        var mounter = RealMounter();
        await mounter.MountDeviceAsync(RealRequest(loop), CancellationToken.None).WithTimeout();
        var uuid = (await loop.BlkidAsync().WithTimeout())["UUID"];
        await File.WriteAllTextAsync(Path.Join(loop.MountPath, "db.dat"), "precious").WithTimeout();
        Assert.Equal(loop.Device, (await mounter.UnmountAsync(loop.MountPath, CancellationToken.None).WithTimeout()).Device);

        var again = await mounter.MountDeviceAsync(RealRequest(loop), CancellationToken.None).WithTimeout();

        Assert.False(again.Formatted);
        Assert.Equal(uuid, (await loop.BlkidAsync().WithTimeout())["UUID"]);
        Assert.Equal("precious", await File.ReadAllTextAsync(Path.Join(loop.MountPath, "db.dat")).WithTimeout());
    }

    [LinuxRootFact("losetup", "blkid", "wipefs", "mkfs.ext4", "mount", "umount")]
    public async Task MountDeviceAsync_RealAlreadyMounted_DoesNothing()
    {
        await using var loop = await LoopDevice.CreateAsync(SmallDisk).WithTimeout();
        var mounter = RealMounter();
        await mounter.MountDeviceAsync(RealRequest(loop), CancellationToken.None).WithTimeout();

        var again = await mounter.MountDeviceAsync(RealRequest(loop), CancellationToken.None).WithTimeout();

        Assert.True(again.AlreadyMounted);
        Assert.Single(await loop.MountsAsync().WithTimeout());
    }

    [LinuxRootFact("losetup", "blkid", "wipefs", "mkfs.ext4", "mkfs.xfs", "mount", "umount")]
    public async Task MountDeviceAsync_RealXfs_FormatsXfsAndLaterRefusesExt4()
    {
        await using var loop = await LoopDevice.CreateAsync(XfsDisk).WithTimeout();
        var mounter = RealMounter();
        var outcome = await mounter.MountDeviceAsync(RealRequest(loop, FsType.Xfs), CancellationToken.None).WithTimeout();
        Assert.True(outcome.Formatted);
        Assert.Equal("xfs", Assert.Single(await loop.MountsAsync().WithTimeout()).FsType);
        await File.WriteAllTextAsync(Path.Join(loop.MountPath, "keep.txt"), "xfs data").WithTimeout();
        await mounter.UnmountAsync(loop.MountPath, CancellationToken.None).WithTimeout();
        var before = await loop.HashAsync().WithTimeout();

        var e = await Assert.ThrowsAsync<UnsafeOperationException>(
            () => mounter.MountDeviceAsync(RealRequest(loop, FsType.Ext4), CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Contains("holds xfs, the volume asks for ext4", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, await loop.HashAsync().WithTimeout());
        Assert.Empty(await loop.MountsAsync().WithTimeout());
        Assert.Equal("xfs", (await loop.BlkidAsync().WithTimeout())["TYPE"]);
    }

    [LinuxRootFact("losetup", "blkid", "wipefs", "mkfs.ext4", "mkswap", "mount", "umount")]
    public async Task MountDeviceAsync_RealSwapSignature_RefusesAndChangesNothing()
    {
        await using var loop = await LoopDevice.CreateAsync(SmallDisk).WithTimeout();
        await loop.RunAsync("mkswap", loop.Device).WithTimeout();
        Assert.Equal("swap", (await loop.BlkidAsync().WithTimeout())["TYPE"]);

        await AssertRefusedUnchanged(loop, "swap").WithTimeout();
    }

    [LinuxRootFact("losetup", "blkid", "wipefs", "mkfs.ext4", "mount", "umount")]
    public async Task MountDeviceAsync_RealPartitionTable_RefusesAndChangesNothing()
    {
        await using var loop = await LoopDevice.CreateAsync(SmallDisk, WriteDosPartitionTable).WithTimeout();
        Assert.Equal("dos", (await loop.BlkidAsync().WithTimeout())["PTTYPE"]);

        await AssertRefusedUnchanged(loop, "dos partition table").WithTimeout();
    }

    [LinuxRootFact("losetup", "blkid", "wipefs", "mkfs.ext4", "mount", "umount")]
    public async Task MountDeviceAsync_RealLuksHeader_RefusesAndChangesNothing()
    {
        await using var loop = await LoopDevice.CreateAsync(SmallDisk, WriteLuks1Header).WithTimeout();
        Assert.Equal("crypto_LUKS", (await loop.BlkidAsync().WithTimeout())["TYPE"]);

        await AssertRefusedUnchanged(loop, "crypto_LUKS").WithTimeout();
    }

    [LinuxRootFact("losetup", "blkid", "wipefs", "mkfs.ext4", "mount", "umount")]
    public async Task MountDeviceAsync_RealReadOnlyBlank_RefusesAndChangesNothing()
    {
        await using var loop = await LoopDevice.CreateAsync(SmallDisk).WithTimeout();

        await AssertRefusedUnchanged(loop, "refusing to format a read-only volume", readOnly: true).WithTimeout();
    }

    [LinuxRootFact("losetup", "blkid", "wipefs", "mkfs.ext4", "mount", "umount")]
    public async Task MountDeviceAsync_RealReadOnlyExt4_MountsReadOnly()
    {
        await using var loop = await LoopDevice.CreateAsync(SmallDisk).WithTimeout();
        var mounter = RealMounter();
        await mounter.MountDeviceAsync(RealRequest(loop), CancellationToken.None).WithTimeout();
        await File.WriteAllTextAsync(Path.Join(loop.MountPath, "a.txt"), "a").WithTimeout();
        await mounter.UnmountAsync(loop.MountPath, CancellationToken.None).WithTimeout();

        var outcome = await mounter.MountDeviceAsync(RealRequest(loop, readOnly: true), CancellationToken.None).WithTimeout();

        Assert.False(outcome.Formatted);
        Assert.Contains("ro", Assert.Single(await loop.MountsAsync().WithTimeout()).MountOptions.Split(','));
        Assert.Equal("a", await File.ReadAllTextAsync(Path.Join(loop.MountPath, "a.txt")).WithTimeout());
        var e = await Assert.ThrowsAnyAsync<IOException>(() => File.WriteAllTextAsync(Path.Join(loop.MountPath, "b.txt"), "b").WithTimeout()).WithTimeout();
        Assert.Contains("Read-only file system", e.Message, StringComparison.Ordinal);
    }

    [LinuxRootFact("losetup", "blkid", "wipefs", "mkfs.ext4", "mount", "umount")]
    public async Task UnmountAsync_RealTwiceAndMissingPath_AllSucceed()
    {
        await using var loop = await LoopDevice.CreateAsync(SmallDisk).WithTimeout();
        var mounter = RealMounter();
        await mounter.MountDeviceAsync(RealRequest(loop), CancellationToken.None).WithTimeout();

        var first = await mounter.UnmountAsync(loop.MountPath, CancellationToken.None).WithTimeout();
        var second = await mounter.UnmountAsync(loop.MountPath, CancellationToken.None).WithTimeout();
        var missing = await mounter.UnmountAsync(Path.Join(loop.Directory.FullName, "never-created"), CancellationToken.None).WithTimeout();

        Assert.Equal(loop.Device, first.Device);
        Assert.Null(second.Device);
        Assert.Null(missing.Device);
        Assert.Empty(await loop.MountsAsync().WithTimeout());
        Assert.True(Directory.Exists(loop.MountPath));
    }

    [LinuxRootFact("losetup", "blkid", "wipefs", "mkfs.ext4", "mount", "umount")]
    public async Task UnmountAsync_RealStackedMounts_UnmountsAllAndReportsTheBottomDevice()
    {
        await using var loop = await LoopDevice.CreateAsync(SmallDisk).WithTimeout();
        var mounter = RealMounter();
        await mounter.MountDeviceAsync(RealRequest(loop), CancellationToken.None).WithTimeout();
        await loop.RunAsync("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", loop.MountPath).WithTimeout();
        Assert.Equal(2, (await loop.MountsAsync().WithTimeout()).Count);

        var outcome = await mounter.UnmountAsync(loop.MountPath, CancellationToken.None).WithTimeout();

        Assert.Equal(loop.Device, outcome.Device);
        Assert.Empty(await loop.MountsAsync().WithTimeout());
    }

    [LinuxRootFact("losetup")]
    public async Task WaitForDeviceAsync_RealLoop_FindsItByBackingFile()
    {
        await using var loop = await LoopDevice.CreateAsync(SmallDisk).WithTimeout();
        var locator = new SysfsDeviceLocator([new LoopDeviceResolver(HostRoot.System, new LoopDevices(HostRoot.System))], TimeProvider.System, NullLogger<SysfsDeviceLocator>.Instance);

        var device = await locator.WaitForDeviceAsync(new LoopBackingFileIdentity(loop.BackingFile), TimeSpan.FromSeconds(10), CancellationToken.None).WithTimeout();

        Assert.Equal(loop.Device, device);
    }

    private static async Task AssertRefusedUnchanged(LoopDevice loop, string expected, bool readOnly = false)
    {
        var before = await loop.HashAsync().WithTimeout();

        var e = await Assert.ThrowsAsync<UnsafeOperationException>(
            () => RealMounter().MountDeviceAsync(RealRequest(loop, readOnly: readOnly), CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Equal(before, await loop.HashAsync().WithTimeout());
        Assert.Empty(await loop.MountsAsync().WithTimeout());
    }

    private static MountDeviceRequest RealRequest(LoopDevice loop, FsType fsType = FsType.Ext4, bool readOnly = false) =>
        new(loop.Device, loop.MountPath, fsType, readOnly, MountOptions.None);

    private static DeviceMounter RealMounter()
    {
        var configuration = NodeConfiguration.Defaults;
        var runner = new ProcessRunner(TimeProvider.System);
        return new DeviceMounter(
            runner,
            new MountTable(HostRoot.System),
            new BlockDeviceProbe(runner, configuration),
            new FilesystemFormatter(runner, configuration),
            new UnsignedDataScanner(HostRoot.System),
            HostRoot.System,
            configuration,
            TimeProvider.System,
            NullLogger<DeviceMounter>.Instance);
    }

    /// <summary>A DOS MBR with one Linux partition (type 0x83) from sector 2048 to the end, and the 0x55AA signature.</summary>
    private static void WriteDosPartitionTable(FileStream stream)
    {
        var mbr = new byte[512];
        BinaryPrimitives.WriteUInt32LittleEndian(mbr.AsSpan(440), 0x12345678); // disk signature
        var entry = mbr.AsSpan(446, 16);
        entry[0] = 0x00; // not bootable
        entry[1] = 0x20; // CHS of the first sector (any plausible value)
        entry[2] = 0x21;
        entry[3] = 0x00;
        entry[4] = 0x83; // Linux
        entry[5] = 0xFE; // CHS of the last sector
        entry[6] = 0xFF;
        entry[7] = 0xFF;
        var sectors = (uint)(stream.Length / 512);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], 2048);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[12..], sectors - 2048);
        mbr[510] = 0x55;
        mbr[511] = 0xAA;
        stream.Position = 0;
        stream.Write(mbr);
    }

    /// <summary>
    /// A LUKS1 header (cryptsetup's on-disk format, big-endian): magic, version 1, cipher aes,
    /// mode xts-plain64, hash sha256, payload offset 4096 sectors, 32 key bytes, a UUID, and eight
    /// disabled key slots. Enough for libblkid to report TYPE=crypto_LUKS.
    /// </summary>
    private static void WriteLuks1Header(FileStream stream)
    {
        var header = new byte[592];
        ReadOnlySpan<byte> magic = [(byte)'L', (byte)'U', (byte)'K', (byte)'S', 0xBA, 0xBE];
        magic.CopyTo(header);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(6), 1);
        Encoding.ASCII.GetBytes("aes").CopyTo(header, 8);
        Encoding.ASCII.GetBytes("xts-plain64").CopyTo(header, 40);
        Encoding.ASCII.GetBytes("sha256").CopyTo(header, 72);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(104), 4096); // payload offset, sectors
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(108), 32); // key bytes
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(164), 1000); // master key digest iterations
        Encoding.ASCII.GetBytes("0b3f6f27-8f50-4bfa-9d1c-2f4f2a0d9f6e").CopyTo(header, 168);
        for (var slot = 0; slot < 8; slot++)
        {
            var offset = 208 + (slot * 48);
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(offset), 0x0000DEAD); // disabled
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(offset + 40), (uint)(8 + (slot * 512))); // key material offset
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(offset + 44), 4000); // anti-forensic stripes
        }

        stream.Position = 0;
        stream.Write(header);
    }
}
