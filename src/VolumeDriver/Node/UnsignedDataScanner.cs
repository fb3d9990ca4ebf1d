using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using VolumeDriver.Errors;
using VolumeDriver.Host;

namespace VolumeDriver.Node;

/// <summary>
/// The last look before mkfs, at what blkid and wipefs cannot see: data with no signature. A new
/// cloud disk, a fresh sparse loop image and a new vCD disk all read as zeros until first use, so a
/// device is taken as unused only when its first and last MiB are all zeros, no ext2/3/4 backup
/// superblock and no XFS secondary superblock sits where mke2fs and mkfs.xfs put them (a
/// filesystem whose primary superblock was damaged, which e2fsck -b or xfs_repair could still
/// recover), and evenly spaced samples across the whole device read as zeros too (data deep
/// inside, such as a database written to the raw device). Reads are a few MiB in all, whatever
/// the size of the device, and happen only before a format, never on the mount of a formatted volume.
/// </summary>
internal sealed class UnsignedDataScanner
{
    /// <summary>How much of each end of the device must be zeros.</summary>
    public const int EdgeBytes = 1 << 20;

    /// <summary>How many evenly spaced samples are read between the two ends.</summary>
    public const int SampleCount = 256;

    /// <summary>The size of one sample (a page, the smallest write a filesystem makes).</summary>
    public const int SampleBytes = 4096;

    private const int Ext4SuperblockBytes = 1024;
    private const int Ext4MagicOffset = 0x38;
    private const ushort Ext4Magic = 0xEF53;
    private const int Ext4LogBlockSizeOffset = 0x18;
    private const int Ext4BlockGroupOffset = 0x5A;
    private const int XfsSuperblockBytes = 512;
    private const uint XfsMagic = 0x58465342; // "XFSB"
    private const int XfsBlockSizeOffset = 4;
    private const int XfsAgBlocksOffset = 84;

    /// <summary>Block sizes mke2fs uses (1k for small filesystems, 4k otherwise; 2k on request).</summary>
    private static readonly int[] Ext4BlockSizes = [1024, 2048, 4096];

    /// <summary>Block sizes mkfs.xfs accepts.</summary>
    private static readonly int[] XfsBlockSizes = [512, 1024, 2048, 4096, 8192, 16384, 32768, 65536];

    /// <summary>mkfs.xfs's default allocation group counts: 4 on a single disk, more on striped or large devices.</summary>
    private static readonly int[] XfsAgCounts = [2, 4, 8, 16, 32, 64];

    /// <summary>The largest allocation group mkfs.xfs makes (1 TiB, in bytes), used on devices of 4 TiB and more.</summary>
    private const long XfsMaxAgBytes = 1L << 40;

    private readonly HostRoot _hostRoot;

    public UnsignedDataScanner(HostRoot hostRoot)
    {
        _hostRoot = hostRoot;
    }

    /// <summary>
    /// The groups that hold ext2/3/4 superblock backups with sparse_super (the default): 1 and the
    /// powers of 3, 5 and 7, in ascending order, below <paramref name="groupLimit"/>.
    /// </summary>
    public static IReadOnlyList<long> Ext4BackupGroups(long groupLimit)
    {
        var groups = new SortedSet<long>();
        if (groupLimit > 1)
        {
            groups.Add(1);
        }

        foreach (var factor in (long[])[3, 5, 7])
        {
            for (var group = factor; group < groupLimit; group *= factor)
            {
                groups.Add(group);
            }
        }

        return [.. groups];
    }

    /// <summary>
    /// Describes the data found on <paramref name="device"/> (a host path) that shows it is in use,
    /// or returns null when everything read is zeros.
    /// </summary>
    public async Task<string?> FindDataAsync(string device, CancellationToken cancellationToken)
    {
        using var handle = LibC.Open(_hostRoot.Map(device), LibC.ReadOnly, 0, out var errno);
        if (handle.IsInvalid)
        {
            throw new DeviceNotFoundException(device, TimeSpan.Zero, $"cannot open {device} to check that it holds no data (errno {errno}); it was not formatted");
        }

        var size = LibC.SizeBySeek(handle, out errno);
        if (size < 0)
        {
            throw new IOException($"cannot tell the size of {device} (lseek errno {errno}); it was not formatted");
        }

        // A superblock first: it names what the data is and how it might be recovered.
        return await FindExt4BackupAsync(handle, size, device, cancellationToken)
            ?? await FindXfsSecondaryAsync(handle, size, device, cancellationToken)
            ?? await FindAtEdgesAsync(handle, size, cancellationToken)
            ?? await FindInSamplesAsync(handle, size, cancellationToken);
    }

    private static async Task<string?> FindAtEdgesAsync(SafeFileHandle handle, long size, CancellationToken cancellationToken)
    {
        var edge = (int)Math.Min(EdgeBytes, size);
        var buffer = new byte[edge];
        foreach (var (offset, where) in new[] { (0L, "first"), (size - edge, "last") })
        {
            var read = await ReadAsync(handle, buffer, offset, cancellationToken);
            var nonZero = buffer.AsSpan(0, read).IndexOfAnyExcept((byte)0);
            if (nonZero >= 0)
            {
                return $"non-zero bytes in its {where} MiB (the first at byte offset {offset + nonZero})";
            }
        }

        return null;
    }

    private static async Task<string?> FindExt4BackupAsync(SafeFileHandle handle, long size, string device, CancellationToken cancellationToken)
    {
        var buffer = new byte[Ext4SuperblockBytes];
        foreach (var blockSize in Ext4BlockSizes)
        {
            long blocksPerGroup = 8L * blockSize;
            long firstDataBlock = blockSize == 1024 ? 1 : 0;
            foreach (var group in Ext4BackupGroups(size / (blocksPerGroup * blockSize) + 1))
            {
                var block = (group * blocksPerGroup) + firstDataBlock;
                var offset = block * blockSize;
                if (offset + Ext4SuperblockBytes > size)
                {
                    break;
                }

                var read = await ReadAsync(handle, buffer, offset, cancellationToken);
                if (read == Ext4SuperblockBytes
                    && BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(Ext4MagicOffset)) == Ext4Magic
                    && BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(Ext4LogBlockSizeOffset)) == (uint)(int.Log2(blockSize) - 10)
                    && BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(Ext4BlockGroupOffset)) == (ushort)group)
                {
                    return $"an ext2/3/4 backup superblock (block size {blockSize}, group {group}) at byte offset {offset}: a filesystem whose primary superblock is damaged; "
                        + $"'e2fsck -n -b {block} -B {blockSize} {device}' shows whether it can be recovered";
                }
            }
        }

        return null;
    }

    private static async Task<string?> FindXfsSecondaryAsync(SafeFileHandle handle, long size, string device, CancellationToken cancellationToken)
    {
        var buffer = new byte[XfsSuperblockBytes];
        var offsets = new SortedSet<long>();
        foreach (var blockSize in XfsBlockSizes)
        {
            var blocks = size / blockSize;
            foreach (var agCount in XfsAgCounts)
            {
                offsets.Add(blocks / agCount * blockSize);
            }

            offsets.Add((XfsMaxAgBytes - 1) / blockSize * blockSize);
        }

        foreach (var offset in offsets)
        {
            if (offset <= 0 || offset + XfsSuperblockBytes > size)
            {
                continue;
            }

            var read = await ReadAsync(handle, buffer, offset, cancellationToken);
            if (read != XfsSuperblockBytes || BinaryPrimitives.ReadUInt32BigEndian(buffer) != XfsMagic)
            {
                continue;
            }

            long agBytes = (long)BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(XfsAgBlocksOffset)) * BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(XfsBlockSizeOffset));
            if (agBytes > 0 && offset % agBytes == 0)
            {
                return $"an XFS secondary superblock (allocation group {offset / agBytes}) at byte offset {offset}: a filesystem whose primary superblock is damaged; "
                    + $"'xfs_repair -n {device}' shows whether it can be recovered";
            }
        }

        return null;
    }

    private static async Task<string?> FindInSamplesAsync(SafeFileHandle handle, long size, CancellationToken cancellationToken)
    {
        var buffer = new byte[SampleBytes];
        for (var sample = 1; sample < SampleCount; sample++)
        {
            var offset = size / SampleCount * sample / SampleBytes * SampleBytes;
            var read = await ReadAsync(handle, buffer, offset, cancellationToken);
            var nonZero = buffer.AsSpan(0, read).IndexOfAnyExcept((byte)0);
            if (nonZero >= 0)
            {
                return $"non-zero bytes deep inside it (at byte offset {offset + nonZero}, one of {SampleCount} samples across the device)";
            }
        }

        return null;
    }

    private static async Task<int> ReadAsync(SafeFileHandle handle, byte[] buffer, long offset, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await RandomAccess.ReadAsync(handle, buffer.AsMemory(total), offset + total, cancellationToken);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }
}
