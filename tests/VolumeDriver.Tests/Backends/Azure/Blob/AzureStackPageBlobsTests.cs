using VolumeDriver.Backends.Azure.Blob;

namespace VolumeDriver.Tests.Backends.Azure.Blob;

/// <summary>Azure Stack Hub's 4 KB pages and 1 TiB page blobs, as a fixed VHD (N GiB + a 512-byte footer) meets them.</summary>
public sealed class AzureStackPageBlobsTests
{
    [Theory]
    [InlineData(1L << 30)]
    [InlineData(1023L << 30)]
    public void TheFooterWrite_IsTheBlobsLast4KB_ZerosThenTheFooter_On512ByteBoundaries(long diskBytes)
    {
        var footer = VhdFooter.Create(diskBytes, DateTimeOffset.UnixEpoch, Guid.NewGuid());

        var (offset, pages) = AzureStackPageBlobs.FooterWrite(diskBytes, footer);

        Assert.Equal(AzureStackPageBlobs.PageBytes, pages.Length);
        Assert.Equal(diskBytes + VhdFooter.Size, offset + pages.Length);
        Assert.Equal(0, offset % 512);
        Assert.Equal(footer, pages[^VhdFooter.Size..]);
        Assert.All(pages[..^VhdFooter.Size], b => Assert.Equal(0, b));
    }

    [Fact]
    public void TheLargestDisk_Is1023GiB_ForTheFooterPushes1024GiBPastTheTebibyte()
    {
        Assert.Equal(1023L << 30, AzureStackPageBlobs.MaxDiskBytes);
        Assert.True(AzureStackPageBlobs.MaxDiskBytes + VhdFooter.Size <= AzureStackPageBlobs.MaxPageBlobBytes);
        Assert.True((1024L << 30) + VhdFooter.Size > AzureStackPageBlobs.MaxPageBlobBytes);
    }
}
