using VolumeDriver.CloudCalls;

namespace VolumeDriver.Backends.Azure.Blob;

internal static class PageBlobStoreExtensions
{
    /// <summary>
    /// Creates the page blob, creating its container only when the service answers ContainerNotFound:
    /// the container exists on every provision but the first, so asking for it each time would cost a
    /// request per provision for nothing. False when the blob exists (it is never overwritten).
    /// </summary>
    public static async Task<bool> CreatePageBlobInContainerAsync(this IPageBlobStore store, string container, string blob, long bytes, CancellationToken cancellationToken)
    {
        try
        {
            return await store.CreatePageBlobAsync(container, blob, bytes, cancellationToken);
        }
        catch (CloudRequestException e) when (e.ErrorCode == "ContainerNotFound")
        {
            await store.CreateContainerAsync(container, cancellationToken);
            return await store.CreatePageBlobAsync(container, blob, bytes, cancellationToken);
        }
    }
}
