using System.Buffers.Binary;
using VolumeDriver.Host;
using VolumeDriver.Node;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Node;

/// <summary>
/// <see cref="UnsignedDataScanner"/> over sparse files standing in for devices (it reads with
/// pread and sizes with lseek, the same on a file as on a block device).
/// </summary>
public sealed class UnsignedDataScannerTests : IDisposable
{
    private const long Size = 256L << 20;

    private readonly string _directory = Directory.CreateTempSubdirectory("vd-scan-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Ext4BackupGroups_AreOneAndThePowersOfThreeFiveAndSeven()
    {
        Assert.Equal([1L, 3, 5, 7, 9, 25, 27, 49, 81, 125, 243, 343], UnsignedDataScanner.Ext4BackupGroups(400));
        Assert.Empty(UnsignedDataScanner.Ext4BackupGroups(1));
    }

    [Fact]
    public async Task FindDataAsync_AllZeros_FindsNothing()
    {
        Assert.Null(await Scanner().FindDataAsync(Image(), CancellationToken.None).WithTimeout());
    }

    [Theory]
    [InlineData(0L, "first MiB")]
    [InlineData((1L << 20) - 1, "first MiB")]
    [InlineData(Size - 1, "last MiB")]
    [InlineData(Size - (1L << 20), "last MiB")]
    [InlineData(Size / 2, "deep inside")]
    public async Task FindDataAsync_OneNonZeroByte_IsFound(long offset, string expected)
    {
        var image = Image((offset, [0x01]));

        var found = await Scanner().FindDataAsync(image, CancellationToken.None).WithTimeout();

        Assert.Contains(expected, found, StringComparison.Ordinal);
        Assert.Contains(offset.ToString(System.Globalization.CultureInfo.InvariantCulture), found, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1024, 1L, 8193L * 1024)]
    [InlineData(4096, 1L, 32768L * 4096)]
    [InlineData(2048, 3L, 3L * 16384 * 2048)]
    public async Task FindDataAsync_Ext4BackupSuperblock_IsFoundWithTheE2fsckCommand(int blockSize, long group, long offset)
    {
        var superblock = new byte[1024];
        BinaryPrimitives.WriteUInt16LittleEndian(superblock.AsSpan(0x38), 0xEF53);
        BinaryPrimitives.WriteUInt32LittleEndian(superblock.AsSpan(0x18), (uint)(int.Log2(blockSize) - 10));
        BinaryPrimitives.WriteUInt16LittleEndian(superblock.AsSpan(0x5A), (ushort)group);
        var image = Image((offset, superblock));

        var found = await Scanner().FindDataAsync(image, CancellationToken.None).WithTimeout();

        Assert.Contains($"backup superblock (block size {blockSize}, group {group})", found, StringComparison.Ordinal);
        Assert.Contains($"e2fsck -n -b {offset / blockSize} -B {blockSize} {image}", found, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FindDataAsync_XfsSecondarySuperblockAtAQuarter_IsFound()
    {
        const long agBytes = Size / 4;
        var superblock = new byte[512];
        BinaryPrimitives.WriteUInt32BigEndian(superblock, 0x58465342);
        BinaryPrimitives.WriteUInt32BigEndian(superblock.AsSpan(4), 4096);
        BinaryPrimitives.WriteUInt32BigEndian(superblock.AsSpan(84), (uint)(agBytes / 4096));
        var image = Image((agBytes, superblock));

        var found = await Scanner().FindDataAsync(image, CancellationToken.None).WithTimeout();

        Assert.Contains("XFS secondary superblock (allocation group 1)", found, StringComparison.Ordinal);
    }

    private static UnsignedDataScanner Scanner() => new(HostRoot.System);

    private string Image(params (long Offset, byte[] Data)[] writes)
    {
        var path = Path.Join(_directory, $"disk-{Guid.NewGuid():N}.img");
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        stream.SetLength(Size);
        foreach (var (offset, data) in writes)
        {
            stream.Seek(offset, SeekOrigin.Begin);
            stream.Write(data);
        }

        return path;
    }
}
