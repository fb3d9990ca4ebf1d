using System.Globalization;
using System.Runtime.CompilerServices;
using System.Xml.Linq;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace VolumeDriver.Backends.Azure.Blob;

/// <summary>
/// The Blob REST operations of <see cref="IPageBlobStore"/> for one account, sent through an
/// Azure.Core <see cref="HttpPipeline"/> (its retry policy honours Retry-After, and the driver's
/// per-request log line is one of its policies). Requests carry x-ms-version 2021-08-06. The account's
/// endpoint comes from <see cref="BlobEndpoint"/>, so Azurite's path-style URLs and Azure's
/// account-host URLs are the same code.
/// </summary>
internal sealed class PageBlobClient : IPageBlobStore
{
    public const string ServiceVersion = "2021-08-06";

    private readonly Uri _endpoint;
    private readonly HttpPipeline _pipeline;

    public PageBlobClient(string account, Uri endpoint, HttpPipeline pipeline)
    {
        Account = account;
        _endpoint = endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");
        _pipeline = pipeline;
    }

    public string Account { get; }

    /// <summary>The listing's page size (maxresults); null lets the service choose (up to 5,000).</summary>
    internal int? ListPageSize { get; init; }

    /// <summary>A client signing with the account's Shared Key (from the storage account's listKeys).</summary>
    public static PageBlobClient WithSharedKey(string account, string base64Key, BlobEndpoint endpoint, ClientOptions options, TimeProvider timeProvider, HttpPipelinePolicy? logPolicy = null) =>
        WithSharedKey(account, base64Key, endpoint.For(account), options, timeProvider, logPolicy);

    /// <summary>The same, at the blob endpoint ARM reports for the account (properties.primaryEndpoints.blob).</summary>
    public static PageBlobClient WithSharedKey(string account, string base64Key, Uri endpoint, ClientOptions options, TimeProvider timeProvider, HttpPipelinePolicy? logPolicy = null) =>
        new(account, endpoint, HttpPipelineBuilder.Build(options, [], Policies(new SharedKeyAuthenticationPolicy(account, base64Key, timeProvider), logPolicy), new ResponseClassifier()));

    /// <summary>A client authorised by an Azure AD token for Azure Storage (the identity needs a Storage Blob Data role).</summary>
    public static PageBlobClient WithToken(string account, TokenCredential credential, string scope, BlobEndpoint endpoint, ClientOptions options, HttpPipelinePolicy? logPolicy = null) =>
        new(account, endpoint.For(account), HttpPipelineBuilder.Build(options, [], Policies(new BearerTokenAuthenticationPolicy(credential, scope), logPolicy), new ResponseClassifier()));

    public Uri BlobUri(string container, string blob) => new(_endpoint, Uri.EscapeDataString(container) + "/" + Uri.EscapeDataString(blob));

    public async Task CreateContainerAsync(string container, CancellationToken cancellationToken)
    {
        using var message = Message(RequestMethod.Put, new Uri(_endpoint, Uri.EscapeDataString(container) + "?restype=container"));
        await SendAsync(message, [201], ["ContainerAlreadyExists"], cancellationToken);
    }

    public async Task<bool> CreatePageBlobAsync(string container, string blob, long bytes, CancellationToken cancellationToken)
    {
        using var message = Message(RequestMethod.Put, BlobUri(container, blob));
        message.Request.Headers.SetValue("x-ms-blob-type", "PageBlob");
        message.Request.Headers.SetValue("x-ms-blob-content-length", bytes.ToString(CultureInfo.InvariantCulture));

        // Never overwrite: a blob of that name is a disk that holds someone's data.
        message.Request.Headers.SetValue("If-None-Match", "*");
        message.Request.Content = RequestContent.Create(ReadOnlyMemory<byte>.Empty);
        var response = await SendAsync(message, [201], ["BlobAlreadyExists", "ConditionNotMet", "LeaseIdMissing"], cancellationToken);
        return response.Status == 201;
    }

    public async Task WritePagesAsync(string container, string blob, long offset, ReadOnlyMemory<byte> pages, CancellationToken cancellationToken)
    {
        if (offset % 512 != 0 || pages.Length == 0 || pages.Length % 512 != 0)
        {
            throw new ArgumentException($"pages are written in whole 512-byte pages (offset {offset}, length {pages.Length})", nameof(pages));
        }

        using var message = Message(RequestMethod.Put, new Uri(BlobUri(container, blob).AbsoluteUri + "?comp=page"));
        message.Request.Headers.SetValue("x-ms-page-write", "update");
        message.Request.Headers.SetValue("x-ms-range", $"bytes={offset.ToString(CultureInfo.InvariantCulture)}-{(offset + pages.Length - 1).ToString(CultureInfo.InvariantCulture)}");
        message.Request.Content = RequestContent.Create(pages);
        await SendAsync(message, [201], [], cancellationToken);
    }

    public async Task<byte[]> ReadAsync(string container, string blob, long offset, int length, CancellationToken cancellationToken)
    {
        using var message = Message(RequestMethod.Get, BlobUri(container, blob));
        message.Request.Headers.SetValue("x-ms-range", $"bytes={offset.ToString(CultureInfo.InvariantCulture)}-{(offset + length - 1).ToString(CultureInfo.InvariantCulture)}");
        var response = await SendAsync(message, [200, 206], [], cancellationToken);
        return response.Content.ToArray();
    }

    public async Task<PageBlobItem?> GetPropertiesAsync(string container, string blob, CancellationToken cancellationToken)
    {
        using var message = Message(RequestMethod.Head, BlobUri(container, blob));
        var response = await SendAsync(message, [200, 404], [], cancellationToken);
        if (response.Status == 404)
        {
            return null;
        }

        var length = response.Headers.TryGetValue("Content-Length", out var text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) ? bytes : 0;
        return new PageBlobItem(blob, length, response.Headers.TryGetValue("x-ms-lease-state", out var state) && state == "leased");
    }

    public async IAsyncEnumerable<PageBlobItem> ListAsync(string container, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? marker = null;
        do
        {
            var query = "?restype=container&comp=list"
                + (ListPageSize is { } size ? "&maxresults=" + size.ToString(CultureInfo.InvariantCulture) : string.Empty)
                + (marker is null ? string.Empty : "&marker=" + Uri.EscapeDataString(marker));
            using var message = Message(RequestMethod.Get, new Uri(_endpoint, Uri.EscapeDataString(container) + query));
            var response = await SendAsync(message, [200, 404], [], cancellationToken);
            if (response.Status == 404)
            {
                yield break;
            }

            var results = XDocument.Parse(response.Content.ToString()).Root
                ?? throw new AzureServiceException(response.Status, "InvalidXml", "the Blob service's listing had no EnumerationResults");
            foreach (var blob in results.Element("Blobs")?.Elements("Blob") ?? [])
            {
                var properties = blob.Element("Properties");
                yield return new PageBlobItem(
                    (string?)blob.Element("Name") ?? string.Empty,
                    (long?)properties?.Element("Content-Length") ?? 0,
                    (string?)properties?.Element("LeaseState") == "leased");
            }

            marker = (string?)results.Element("NextMarker") is { Length: > 0 } next ? next : null;
        }
        while (marker is not null);
    }

    public async Task<bool> DeleteAsync(string container, string blob, CancellationToken cancellationToken)
    {
        using var message = Message(RequestMethod.Delete, BlobUri(container, blob));
        var response = await SendAsync(message, [202, 404], [], cancellationToken);
        return response.Status == 202;
    }

    /// <summary>Takes an infinite lease, as a VM attaching the VHD does (for tests and diagnostics). Returns the lease id.</summary>
    internal async Task<string> AcquireLeaseAsync(string container, string blob, CancellationToken cancellationToken)
    {
        using var message = Message(RequestMethod.Put, new Uri(BlobUri(container, blob).AbsoluteUri + "?comp=lease"));
        message.Request.Headers.SetValue("x-ms-lease-action", "acquire");
        message.Request.Headers.SetValue("x-ms-lease-duration", "-1");
        message.Request.Content = RequestContent.Create(ReadOnlyMemory<byte>.Empty);
        var response = await SendAsync(message, [201], [], cancellationToken);
        return response.Headers.TryGetValue("x-ms-lease-id", out var id) ? id! : string.Empty;
    }

    private static HttpPipelinePolicy[] Policies(HttpPipelinePolicy authentication, HttpPipelinePolicy? log) =>
        log is null ? [authentication] : [authentication, log];

    private HttpMessage Message(RequestMethod method, Uri uri)
    {
        var message = _pipeline.CreateMessage();
        message.Request.Method = method;
        message.Request.Uri.Reset(uri);
        message.Request.Headers.SetValue("x-ms-version", ServiceVersion);
        return message;
    }

    /// <summary>
    /// Sends, and turns any answer that is neither one of <paramref name="success"/> nor an error with
    /// one of <paramref name="expectedErrors"/> (x-ms-error-code) into a <see cref="AzureServiceException"/>
    /// carrying the service's code and message.
    /// </summary>
    private async Task<Response> SendAsync(HttpMessage message, int[] success, string[] expectedErrors, CancellationToken cancellationToken)
    {
        await _pipeline.SendAsync(message, cancellationToken);
        var response = message.Response;
        var code = response.Headers.TryGetValue("x-ms-error-code", out var header) ? header ?? string.Empty : string.Empty;
        if (success.Contains(response.Status) || expectedErrors.Contains(code, StringComparer.Ordinal))
        {
            return response;
        }

        var text = (response.Content?.ToString() ?? string.Empty).TrimStart('\uFEFF');
        var detail = text.StartsWith('<') ? (string?)XDocument.Parse(text).Root?.Element("Message") ?? text : text;
        var firstLine = detail.Split('\n', 2)[0].Trim();
        throw new AzureServiceException(response.Status, code, $"the Blob service of account {Account} answered {response.Status} {code} for {message.Request.Method.Method} {message.Request.Uri.Path}: {firstLine}");
    }
}

/// <summary>
/// Where an account's Blob service is: a template with {account}, e.g. https://{account}.blob.core.windows.net/
/// for Azure (the storage endpoint suffix of the cloud) or http://127.0.0.1:10000/{account}/ for Azurite.
/// </summary>
internal sealed record BlobEndpoint(string Template)
{
    public static BlobEndpoint ForSuffix(string storageEndpointSuffix) => new("https://{account}.blob." + storageEndpointSuffix.TrimStart('.') + "/");

    public Uri For(string account) => new(Template.Replace("{account}", account, StringComparison.Ordinal));
}
