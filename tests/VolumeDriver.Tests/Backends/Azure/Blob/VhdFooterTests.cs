using System.Buffers.Binary;
using System.Text;
using VolumeDriver.Backends.Azure.Blob;

namespace VolumeDriver.Tests.Backends.Azure.Blob;

/// <summary>The fixed-disk VHD footer, byte by byte, against the VHD specification.</summary>
public sealed class VhdFooterTests
{
    private const long GiB = 1L << 30;

    private static readonly Guid Id = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");
    private static readonly DateTimeOffset Created = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1, 2080, 16, 63)]
    [InlineData(10, 20805, 16, 63)]
    [InlineData(100, 51400, 16, 255)]
    [InlineData(200, 65535, 16, 255)]
    public void Geometry_FollowsTheSpecificationsAlgorithm(long gib, int cylinders, int heads, int sectors)
    {
        var footer = VhdFooter.Create(gib * GiB, Created, Id);

        Assert.Equal(cylinders, BinaryPrimitives.ReadUInt16BigEndian(footer.AsSpan(56)));
        Assert.Equal(heads, footer[58]);
        Assert.Equal(sectors, footer[59]);
    }

    [Fact]
    public void SmallDisks_TakeSeventeenOrThirtyOneSectorsPerTrack()
    {
        Assert.Equal((ushort)240, VhdFooter.Geometry(8L * 1024 * 1024).Cylinders); // 16384 sectors / 17 = 963 cylinders × heads, over 4 heads
        Assert.Equal(17, VhdFooter.Geometry(8L * 1024 * 1024).SectorsPerTrack);
        Assert.Equal(4, VhdFooter.Geometry(8L * 1024 * 1024).Heads);
    }

    [Fact]
    public void EveryField_IsWhereTheSpecificationPutsIt()
    {
        var footer = VhdFooter.Create(10 * GiB, Created, Id);
        var span = footer.AsSpan();

        Assert.Equal(512, footer.Length);
        Assert.Equal("conectix", Encoding.ASCII.GetString(footer, 0, 8));
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32BigEndian(span[8..]));
        Assert.Equal(0x00010000u, BinaryPrimitives.ReadUInt32BigEndian(span[12..]));
        Assert.Equal(ulong.MaxValue, BinaryPrimitives.ReadUInt64BigEndian(span[16..]));
        Assert.Equal((uint)(Created - new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero)).TotalSeconds, BinaryPrimitives.ReadUInt32BigEndian(span[24..]));
        Assert.Equal("vdrv", Encoding.ASCII.GetString(footer, 28, 4));
        Assert.Equal("Wi2k", Encoding.ASCII.GetString(footer, 36, 4));
        Assert.Equal((ulong)(10 * GiB), BinaryPrimitives.ReadUInt64BigEndian(span[40..]));
        Assert.Equal((ulong)(10 * GiB), BinaryPrimitives.ReadUInt64BigEndian(span[48..]));
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32BigEndian(span[60..]));
        Assert.Equal(Id, new Guid(span[68..84], bigEndian: true));
        Assert.Equal(0, footer[84]);
        Assert.All(footer[85..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void Checksum_IsTheOnesComplementOfTheByteSum_AndVerifies()
    {
        var footer = VhdFooter.Create(GiB, Created, Id);
        uint sum = 0;
        for (var i = 0; i < 512; i++)
        {
            if (i is < 64 or >= 68)
            {
                sum += footer[i];
            }
        }

        Assert.Equal(~sum, BinaryPrimitives.ReadUInt32BigEndian(footer.AsSpan(64)));
        Assert.Equal(GiB, VhdFooter.ReadDiskSize(footer));
    }

    [Fact]
    public void AFooterWithOneByteChanged_IsNotValid()
    {
        var footer = VhdFooter.Create(GiB, Created, Id);
        footer[100] ^= 1;

        Assert.Null(VhdFooter.ReadDiskSize(footer));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1000)]
    public void ASizeThatIsNoMultipleOf512_IsRefused(long bytes) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => VhdFooter.Create(bytes, Created, Id));
}
