using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace VolumeDriver.Backends.Azure.Blob;

/// <summary>
/// The Microsoft.Storage/storageAccounts operations blob disks need. <see cref="StorageAccountClient"/>
/// implements them over ARM's REST API, because the registry has no Azure.ResourceManager.Storage;
/// that package's StorageAccountCollection could fill this interface when it is available.
/// </summary>
internal interface IStorageAccounts
{
    Task<StorageAccount?> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>The accounts of the cluster's resource group (every page).</summary>
    IAsyncEnumerable<StorageAccount> ListAsync(CancellationToken cancellationToken);

    /// <summary>Creates the account (an existing one with the same name is returned as it is) and waits until ARM has provisioned it.</summary>
    Task<StorageAccount> CreateAsync(string name, string sku, string location, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken);

    /// <summary>The account's first full-permission key (base64), for Shared Key.</summary>
    Task<string> GetKeyAsync(string name, CancellationToken cancellationToken);

    /// <summary>Deletes the account; false when it was not there.</summary>
    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken);
}
