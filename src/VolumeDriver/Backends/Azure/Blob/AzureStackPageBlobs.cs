namespace VolumeDriver.Backends.Azure.Blob;

/// <summary>
/// Azure Stack Hub's page-blob limits ("Azure Stack Hub storage: Differences and considerations"):
/// a page blob is at most 1 TB (1 TiB) and its pages are 4 KB, where Azure's are 512 bytes and 8 TiB.
/// A fixed VHD is the disk (whole GiB here) plus a 512-byte footer, so the largest blob disk that
/// fits is 1023 GiB: 1024 GiB plus the footer is 512 bytes over. Its length, N GiB + 512, is no
/// multiple of 4 KB whatever N is, so the footer cannot be a 4 KB page of its own: it is written as
/// the last 4 KB of the blob (3,584 zero bytes, then the footer), one whole-page-sized write that
/// ends where the blob ends and starts on a 512-byte boundary, which Azure and Azurite accept too.
/// The zeros land on the end of a blob just created, which holds only zeros.
/// </summary>
internal static class AzureStackPageBlobs
{
    public const int PageBytes = 4096;

    public const long MaxPageBlobBytes = 1L << 40;

    /// <summary>The largest disk, in whole GiB, whose fixed VHD fits a page blob: 1023 GiB.</summary>
    public const long MaxDiskBytes = ((MaxPageBlobBytes - VhdFooter.Size) >> 30) << 30;

    /// <summary>The footer write for a VHD of <paramref name="diskBytes"/>: where it starts, and the bytes (zeros, then the footer).</summary>
    public static (long Offset, byte[] Pages) FooterWrite(long diskBytes, byte[] footer)
    {
        var length = (int)Math.Min(PageBytes, diskBytes + VhdFooter.Size);
        var pages = new byte[length];
        footer.CopyTo(pages, length - VhdFooter.Size);
        return (diskBytes + VhdFooter.Size - length, pages);
    }
}
