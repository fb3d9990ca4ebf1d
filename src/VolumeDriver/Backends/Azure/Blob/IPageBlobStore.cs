using VolumeDriver.CloudCalls;

namespace VolumeDriver.Backends.Azure.Blob;

/// <summary>
/// The page-blob operations blob disks need in one storage account. <see cref="PageBlobStore"/>
/// implements them with Azure.Storage.Blobs' BlobContainerClient and PageBlobClient; the tests'
/// in-memory pool implements them too.
/// </summary>
internal interface IPageBlobStore
{
    /// <summary>The account these blobs live in.</summary>
    string Account { get; }

    /// <summary>The blob's URI, as a VM's vhd.uri names it.</summary>
    Uri BlobUri(string container, string blob);

    /// <summary>Creates the container; an existing one is fine.</summary>
    Task CreateContainerAsync(string container, CancellationToken cancellationToken);

    /// <summary>Creates an empty page blob of <paramref name="bytes"/> (a multiple of 512). False when a blob of that name exists: it is never overwritten.</summary>
    Task<bool> CreatePageBlobAsync(string container, string blob, long bytes, CancellationToken cancellationToken);

    /// <summary>Writes 512-aligned pages at <paramref name="offset"/>.</summary>
    Task WritePagesAsync(string container, string blob, long offset, ReadOnlyMemory<byte> pages, CancellationToken cancellationToken);

    /// <summary>Reads <paramref name="length"/> bytes at <paramref name="offset"/>.</summary>
    Task<byte[]> ReadAsync(string container, string blob, long offset, int length, CancellationToken cancellationToken);

    /// <summary>The blob's size and lease, or null when it does not exist.</summary>
    Task<PageBlobItem?> GetPropertiesAsync(string container, string blob, CancellationToken cancellationToken);

    /// <summary>Every blob in the container (all pages of the listing), or none when the container does not exist.</summary>
    IAsyncEnumerable<PageBlobItem> ListAsync(string container, CancellationToken cancellationToken);

    /// <summary>Deletes the blob; false when it was not there. A leased blob (attached to a VM) throws <see cref="CloudRequestException"/> with code LeaseIdMissing.</summary>
    Task<bool> DeleteAsync(string container, string blob, CancellationToken cancellationToken);
}
