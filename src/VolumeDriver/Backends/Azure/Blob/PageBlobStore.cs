using System.Runtime.CompilerServices;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using VolumeDriver.CloudCalls;

namespace VolumeDriver.Backends.Azure.Blob;

/// <summary>
/// <see cref="IPageBlobStore"/> for one account through Azure.Storage.Blobs (its
/// <see cref="BlobContainerClient"/> and <see cref="PageBlobClient"/>), authorised by the account's
/// Shared Key or by an Entra ID token. Every request carries the service version the options pin
/// (<see cref="Configuration.BlobServiceVersions"/>): Azure Stack Hub answers a newer x-ms-version with 400
/// InvalidHeaderValue. The service's refusals become <see cref="CloudRequestException"/> with the
/// service's error code and x-ms-request-id. The account's endpoint comes from ARM or <see cref="BlobEndpoint"/>, so
/// Azurite's path-style URLs and Azure's account-host URLs are the same code.
/// </summary>
internal sealed class PageBlobStore : IPageBlobStore
{
    private readonly BlobServiceClient _service;

    private PageBlobStore(string account, BlobServiceClient service)
    {
        Account = account;
        _service = service;
    }

    public string Account { get; }

    /// <summary>The listing's page size (maxresults); null lets the service choose (up to 5,000).</summary>
    internal int? ListPageSize { get; set; }

    /// <summary>A store signing with the account's Shared Key (from the storage account's listKeys).</summary>
    public static PageBlobStore WithSharedKey(string account, string base64Key, Uri endpoint, BlobClientOptions options) =>
        new(account, new BlobServiceClient(Directory(endpoint), new StorageSharedKeyCredential(account, base64Key), options));

    /// <summary>The same at the endpoint <paramref name="endpoint"/>'s template names for the account.</summary>
    public static PageBlobStore WithSharedKey(string account, string base64Key, BlobEndpoint endpoint, BlobClientOptions options) =>
        WithSharedKey(account, base64Key, endpoint.For(account), options);

    /// <summary>A store authorised by an Entra ID token for Azure Storage (the identity needs a Storage Blob Data role); <paramref name="options"/> carries the audience.</summary>
    public static PageBlobStore WithToken(string account, TokenCredential credential, BlobEndpoint endpoint, BlobClientOptions options) =>
        new(account, new BlobServiceClient(Directory(endpoint.For(account)), credential, options));

    /// <summary>
    /// How the Blob service's requests are retried: Azure.Storage's own choice, made on the injected
    /// clock. StorageClientOptions.Initialize (Azure/azure-sdk-for-net
    /// sdk/storage/Azure.Storage.Common/src/Shared/StorageClientOptions.cs, compiled into
    /// Azure.Storage.Blobs 12.30.1, which BlobClientOptions' constructor calls) raises Azure.Core's
    /// MaxRetries from 3 to 5 and keeps its other RetryOptions (Azure.Core 1.65.0): exponential from
    /// 0.8 s, at most 1 min apart, ±20 % jitter. So 6 attempts in all, about 0.8 + 1.6 + 3.2 + 6.4 +
    /// 12.8 s of backoff.
    /// </summary>
    public static readonly RetrySchedule DefaultRetries = new(TimeSpan.FromSeconds(0.8), TimeSpan.FromMinutes(1), maxAttempts: 6, maxElapsed: null);

    /// <summary>
    /// Client options pinned to <paramref name="serviceVersion"/>, with the driver's transport (the
    /// CA trust of azure.caCert) and per-request log line when given, retrying on
    /// <paramref name="timeProvider"/>.
    /// </summary>
    /// <remarks>
    /// Azure.Storage builds its pipeline with Azure.Core's <see cref="RetryPolicy"/> unless the options
    /// name another, and that policy waits on the system clock. <see cref="ArmRetryPolicy"/> takes its
    /// place and makes the same decisions: it asks the message's classifier, which in a Blob pipeline is
    /// Azure.Storage's (StorageResponseClassifier, installed per call by StorageClassifierPolicy, both in
    /// the same Shared folder; StorageClientOptions.Build puts them in the pipeline). That
    /// classifier retries what Azure.Core's does (408, 429, 500, 502, 503, 504; an IOException, a
    /// transport failure, a network timeout) and also any error answer whose x-ms-error-code (or
    /// x-ms-copy-source-error-code) is InternalError, OperationTimedOut or ServerBusy, and a 404 from
    /// the GeoRedundantSecondaryUri host. The read-from-secondary switch itself stays Azure.Storage's
    /// per-retry GeoRedundantReadPolicy, which runs inside each attempt. What differs is what the kit
    /// does for every cloud: a Retry-After shorter than the backoff is honoured as given and one longer
    /// than 1 min is capped, and when every attempt threw, the last exception propagates rather than
    /// an AggregateException of them all.
    /// </remarks>
    /// <param name="retries">The retry budget and backoff; <see cref="DefaultRetries"/> unless a test asks for fewer.</param>
    public static BlobClientOptions Options(BlobClientOptions.ServiceVersion serviceVersion, TimeProvider timeProvider, HttpPipelineTransport? transport = null, HttpPipelinePolicy? logPolicy = null, RetrySchedule? retries = null)
    {
        var options = new BlobClientOptions(serviceVersion)
        {
            RetryPolicy = new ArmRetryPolicy(timeProvider, retries ?? DefaultRetries),
        };
        if (transport is not null)
        {
            options.Transport = transport;
        }

        if (logPolicy is not null)
        {
            options.AddPolicy(logPolicy, HttpPipelinePosition.PerRetry);
        }

        return options;
    }

    public Uri BlobUri(string container, string blob) => Page(container, blob).Uri;

    public Task CreateContainerAsync(string container, CancellationToken cancellationToken) =>
        Call(container, null, "PUT", () => _service.GetBlobContainerClient(container).CreateIfNotExistsAsync(cancellationToken: cancellationToken));

    public async Task<bool> CreatePageBlobAsync(string container, string blob, long bytes, CancellationToken cancellationToken)
    {
        try
        {
            // Never overwrite: a blob of that name is a disk that holds someone's data.
            await Page(container, blob).CreateAsync(bytes, new PageBlobCreateOptions { Conditions = new PageBlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.ErrorCode is "BlobAlreadyExists" or "ConditionNotMet" or "LeaseIdMissing")
        {
            return false;
        }
        catch (RequestFailedException e)
        {
            throw Refusal(e, "PUT", container, blob);
        }
    }

    public async Task WritePagesAsync(string container, string blob, long offset, ReadOnlyMemory<byte> pages, CancellationToken cancellationToken)
    {
        if (offset % 512 != 0 || pages.Length == 0 || pages.Length % 512 != 0)
        {
            throw new ArgumentException($"pages are written in whole 512-byte pages (offset {offset}, length {pages.Length})", nameof(pages));
        }

        using var content = new MemoryStream(pages.ToArray(), writable: false);
        await Call(container, blob, "PUT", () => Page(container, blob).UploadPagesAsync(content, offset, cancellationToken: cancellationToken));
    }

    public async Task<byte[]> ReadAsync(string container, string blob, long offset, int length, CancellationToken cancellationToken)
    {
        var result = await Call(container, blob, "GET", () => Page(container, blob).DownloadContentAsync(new BlobDownloadOptions { Range = new HttpRange(offset, length) }, cancellationToken));
        return result.Value.Content.ToArray();
    }

    public async Task<PageBlobItem?> GetPropertiesAsync(string container, string blob, CancellationToken cancellationToken)
    {
        try
        {
            var properties = (await Page(container, blob).GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            return new PageBlobItem(blob, properties.ContentLength, properties.LeaseState == LeaseState.Leased);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (RequestFailedException e)
        {
            throw Refusal(e, "HEAD", container, blob);
        }
    }

    public async IAsyncEnumerable<PageBlobItem> ListAsync(string container, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pages = _service.GetBlobContainerClient(container).GetBlobsAsync(cancellationToken: cancellationToken).AsPages(pageSizeHint: ListPageSize).GetAsyncEnumerator(cancellationToken);
        await using (pages)
        {
            while (true)
            {
                try
                {
                    if (!await pages.MoveNextAsync())
                    {
                        yield break;
                    }
                }
                catch (RequestFailedException e) when (e.ErrorCode == "ContainerNotFound")
                {
                    yield break;
                }
                catch (RequestFailedException e)
                {
                    throw Refusal(e, "GET", container, null);
                }

                foreach (var item in pages.Current.Values)
                {
                    yield return new PageBlobItem(item.Name, item.Properties.ContentLength ?? 0, item.Properties.LeaseState == LeaseState.Leased);
                }
            }
        }
    }

    public async Task<bool> DeleteAsync(string container, string blob, CancellationToken cancellationToken)
    {
        var response = await Call(container, blob, "DELETE", () => Page(container, blob).DeleteIfExistsAsync(cancellationToken: cancellationToken));
        return response.Value;
    }

    /// <summary>Takes an infinite lease, as a VM attaching the VHD does (for tests and diagnostics). Returns the lease id.</summary>
    internal async Task<string> AcquireLeaseAsync(string container, string blob, CancellationToken cancellationToken)
    {
        var lease = await Call(container, blob, "PUT", () => Page(container, blob).GetBlobLeaseClient().AcquireAsync(BlobLeaseClient.InfiniteLeaseDuration, cancellationToken: cancellationToken));
        return lease.Value.LeaseId;
    }

    /// <summary>The account's endpoint as a directory, so that container names resolve under it.</summary>
    private static Uri Directory(Uri endpoint) => endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");

    private PageBlobClient Page(string container, string blob) => _service.GetBlobContainerClient(container).GetPageBlobClient(blob);

    private async Task<T> Call<T>(string container, string? blob, string method, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RequestFailedException e)
        {
            throw Refusal(e, method, container, blob);
        }
    }

    /// <summary>The service's refusal with its code and the first line of its message (the rest lists headers).</summary>
    private CloudRequestException Refusal(RequestFailedException e, string method, string container, string? blob)
    {
        var firstLine = e.Message.Split('\n', 2)[0].Trim();
        var path = blob is null ? container : container + "/" + blob;
        return new CloudRequestException(CloudService.Blob, $"{method} {path}", e.Status, e.ErrorCode, ArmCalls.RequestIds(CloudService.Blob, e), $"the Blob service of account {Account} answered {e.Status} {e.ErrorCode} for {method} {path}: {firstLine}", e);
    }
}
