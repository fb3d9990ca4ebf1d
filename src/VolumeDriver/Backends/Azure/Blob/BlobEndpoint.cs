using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace VolumeDriver.Backends.Azure.Blob;

/// <summary>
/// Where an account's Blob service is: a template with {account}, e.g. https://{account}.blob.core.windows.net/
/// for Azure (the storage endpoint suffix of the cloud) or http://127.0.0.1:10000/{account}/ for Azurite.
/// </summary>
internal sealed record BlobEndpoint(string Template)
{
    public static BlobEndpoint ForSuffix(string storageEndpointSuffix) => new("https://{account}.blob." + storageEndpointSuffix.TrimStart('.') + "/");

    public Uri For(string account) => new(Template.Replace("{account}", account, StringComparison.Ordinal));
}
