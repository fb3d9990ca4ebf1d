using System.Buffers.Binary;
using System.Text;

namespace VolumeDriver.Backends.Azure.Blob;

/// <summary>
/// The 512-byte footer of a fixed-size VHD, the format Azure requires of a page blob it attaches as
/// a disk: the disk's bytes, then this footer (Microsoft's Virtual Hard Disk Image Format
/// Specification, "Hard Disk Footer Format"). All integers are big-endian. A blank disk needs
/// nothing else written: unwritten pages of a page blob read as zeros.
/// </summary>
internal static class VhdFooter
{
    public const int Size = 512;

    private static readonly DateTimeOffset Epoch = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The footer of a fixed disk of <paramref name="diskBytes"/> (a multiple of 512).</summary>
    public static byte[] Create(long diskBytes, DateTimeOffset created, Guid uniqueId)
    {
        if (diskBytes <= 0 || diskBytes % 512 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(diskBytes), diskBytes, "a VHD's size is a positive multiple of 512 bytes");
        }

        var footer = new byte[Size];
        var span = footer.AsSpan();
        Encoding.ASCII.GetBytes("conectix", span[..8]);
        BinaryPrimitives.WriteUInt32BigEndian(span[8..], 2);                      // features: reserved bit, always set
        BinaryPrimitives.WriteUInt32BigEndian(span[12..], 0x00010000);            // file format version 1.0
        BinaryPrimitives.WriteUInt64BigEndian(span[16..], ulong.MaxValue);        // data offset: none for a fixed disk
        BinaryPrimitives.WriteUInt32BigEndian(span[24..], (uint)Math.Max(0, (created - Epoch).TotalSeconds));
        Encoding.ASCII.GetBytes("vdrv", span[28..32]);                            // creator application
        BinaryPrimitives.WriteUInt32BigEndian(span[32..], 0x00010000);            // creator version
        Encoding.ASCII.GetBytes("Wi2k", span[36..40]);                            // creator host OS, as Azure's tools write
        BinaryPrimitives.WriteUInt64BigEndian(span[40..], (ulong)diskBytes);      // original size
        BinaryPrimitives.WriteUInt64BigEndian(span[48..], (ulong)diskBytes);      // current size
        var (cylinders, heads, sectors) = Geometry(diskBytes);
        BinaryPrimitives.WriteUInt16BigEndian(span[56..], cylinders);
        span[58] = heads;
        span[59] = sectors;
        BinaryPrimitives.WriteUInt32BigEndian(span[60..], 2);                     // disk type: fixed
        uniqueId.TryWriteBytes(span[68..84], bigEndian: true, out _);
        BinaryPrimitives.WriteUInt32BigEndian(span[64..], Checksum(footer));
        return footer;
    }

    /// <summary>
    /// CHS geometry by the specification's algorithm (appendix "CHS Calculation"): the largest
    /// geometry is 65535/16/255, and smaller disks try 17, then 31, then 63 sectors per track.
    /// </summary>
    public static (ushort Cylinders, byte Heads, byte SectorsPerTrack) Geometry(long diskBytes)
    {
        var totalSectors = Math.Min(diskBytes / 512, 65535L * 16 * 255);
        long sectorsPerTrack;
        long heads;
        long cylinderTimesHeads;
        if (totalSectors >= 65535L * 16 * 63)
        {
            sectorsPerTrack = 255;
            heads = 16;
            cylinderTimesHeads = totalSectors / sectorsPerTrack;
        }
        else
        {
            sectorsPerTrack = 17;
            cylinderTimesHeads = totalSectors / sectorsPerTrack;
            heads = Math.Max(4, (cylinderTimesHeads + 1023) / 1024);
            if (cylinderTimesHeads >= heads * 1024 || heads > 16)
            {
                sectorsPerTrack = 31;
                heads = 16;
                cylinderTimesHeads = totalSectors / sectorsPerTrack;
            }

            if (cylinderTimesHeads >= heads * 1024)
            {
                sectorsPerTrack = 63;
                heads = 16;
                cylinderTimesHeads = totalSectors / sectorsPerTrack;
            }
        }

        return ((ushort)(cylinderTimesHeads / heads), (byte)heads, (byte)sectorsPerTrack);
    }

    /// <summary>The one's complement of the sum of every footer byte, the checksum field counted as zero.</summary>
    public static uint Checksum(ReadOnlySpan<byte> footer)
    {
        uint sum = 0;
        for (var i = 0; i < Size; i++)
        {
            sum += i is >= 64 and < 68 ? 0u : footer[i];
        }

        return ~sum;
    }

    /// <summary>
    /// Reads a footer: the disk size it declares, or null when the bytes are no valid fixed-disk
    /// footer (wrong cookie, wrong checksum, not a fixed disk).
    /// </summary>
    public static long? ReadDiskSize(ReadOnlySpan<byte> footer)
    {
        if (footer.Length != Size
            || !footer[..8].SequenceEqual("conectix"u8)
            || BinaryPrimitives.ReadUInt32BigEndian(footer[64..]) != Checksum(footer)
            || BinaryPrimitives.ReadUInt32BigEndian(footer[60..]) != 2)
        {
            return null;
        }

        return (long)BinaryPrimitives.ReadUInt64BigEndian(footer[48..]);
    }
}
