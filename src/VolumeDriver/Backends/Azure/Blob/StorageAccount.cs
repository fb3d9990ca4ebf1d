using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace VolumeDriver.Backends.Azure.Blob;

/// <summary>A storage account as ARM describes it.</summary>
/// <param name="BlobEndpoint">properties.primaryEndpoints.blob, null until the account is provisioned.</param>
/// <param name="Id">The account's ARM resource id (a disk import names its source account by it).</param>
internal sealed record StorageAccount(string Name, string Sku, string Location, IReadOnlyDictionary<string, string> Tags, string? ProvisioningState, Uri? BlobEndpoint, string Id);
