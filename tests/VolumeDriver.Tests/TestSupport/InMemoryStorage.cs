using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using VolumeDriver.Backends.Azure.Blob;
using VolumeDriver.CloudCalls;

namespace VolumeDriver.Tests.TestSupport;

/// <summary>
/// Storage accounts and their page blobs in memory, for runs of thousands of provisions that real
/// Azurite would make minutes long. It keeps what the provisioner relies on: accounts by name, blobs
/// never overwritten, pages read back, a listing of every blob. Everything else is Azurite's to prove.
/// </summary>
internal sealed class InMemoryStorage : IStorageAccounts
{
    private readonly ConcurrentDictionary<string, (StorageAccount Account, Store Blobs)> _accounts = new(StringComparer.Ordinal);

    public int Creates { get; private set; }

    public IReadOnlyDictionary<string, (string Sku, int Vhds)> Snapshot() =>
        _accounts.ToDictionary(a => a.Key, a => (a.Value.Account.Sku, a.Value.Blobs.Count(BlobDiskProvisioner.Container, ".vhd")), StringComparer.Ordinal);

    public IPageBlobStore StoreOf(StorageAccount account) => _accounts[account.Name].Blobs;

    /// <summary>Adds an account of the pool holding <paramref name="vhds"/> VHDs.</summary>
    public void Seed(string name, string sku, int vhds)
    {
        var store = new Store(name);
        for (var i = 0; i < vhds; i++)
        {
            store.Put(BlobDiskProvisioner.Container, $"seed-{i}.vhd", 1024);
        }

        _accounts[name] = (Account(name, sku), store);
    }

    public Task<StorageAccount?> GetAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult(_accounts.TryGetValue(name, out var a) ? a.Account : null);

    public async IAsyncEnumerable<StorageAccount> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        foreach (var (account, _) in _accounts.Values)
        {
            yield return account;
        }
    }

    public Task<StorageAccount> CreateAsync(string name, string sku, string location, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        var created = _accounts.GetOrAdd(name, _ =>
        {
            Creates++;
            return (Account(name, sku, tags), new Store(name));
        });
        return Task.FromResult(created.Account);
    }

    public Task<string> GetKeyAsync(string name, CancellationToken cancellationToken) => Task.FromResult(Convert.ToBase64String(new byte[64]));

    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken) => Task.FromResult(_accounts.TryRemove(name, out _));

    private static StorageAccount Account(string name, string sku, IReadOnlyDictionary<string, string>? tags = null) =>
        new(name, sku, "local", tags ?? new Dictionary<string, string> { [StorageAccountPool.PoolTag] = sku }, "Succeeded", new Uri($"http://127.0.0.1:1/{name}/"), "/subscriptions/s/resourceGroups/r/providers/Microsoft.Storage/storageAccounts/" + name);

    private sealed class Store(string account) : IPageBlobStore
    {
        private readonly ConcurrentDictionary<(string Container, string Blob), (long Length, ConcurrentDictionary<long, byte[]> Pages)> _blobs = new();
        private readonly ConcurrentDictionary<string, bool> _containers = new(StringComparer.Ordinal);

        public string Account => account;

        public int Count(string container, string suffix) => _blobs.Keys.Count(k => k.Container == container && k.Blob.EndsWith(suffix, StringComparison.Ordinal));

        public void Put(string container, string blob, long bytes)
        {
            _containers[container] = true;
            _blobs[(container, blob)] = (bytes, new());
        }

        public Uri BlobUri(string container, string blob) => new($"http://127.0.0.1:1/{account}/{container}/{blob}");

        public Task CreateContainerAsync(string container, CancellationToken cancellationToken)
        {
            _containers[container] = true;
            return Task.CompletedTask;
        }

        public Task<bool> CreatePageBlobAsync(string container, string blob, long bytes, CancellationToken cancellationToken) =>
            _containers.ContainsKey(container)
                ? Task.FromResult(_blobs.TryAdd((container, blob), (bytes, new())))
                : throw new CloudRequestException(CloudService.Blob, "PUT " + container, 404, "ContainerNotFound", CloudRequestIds.None, "The specified container does not exist.");

        public Task WritePagesAsync(string container, string blob, long offset, ReadOnlyMemory<byte> pages, CancellationToken cancellationToken)
        {
            _blobs[(container, blob)].Pages[offset] = pages.ToArray();
            return Task.CompletedTask;
        }

        public Task<byte[]> ReadAsync(string container, string blob, long offset, int length, CancellationToken cancellationToken) =>
            Task.FromResult(_blobs[(container, blob)].Pages.TryGetValue(offset, out var page) ? page[..length] : new byte[length]);

        public Task<PageBlobItem?> GetPropertiesAsync(string container, string blob, CancellationToken cancellationToken) =>
            Task.FromResult(_blobs.TryGetValue((container, blob), out var b) ? new PageBlobItem(blob, b.Length, false) : null);

        public async IAsyncEnumerable<PageBlobItem> ListAsync(string container, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            foreach (var ((c, name), (length, _)) in _blobs)
            {
                if (c == container)
                {
                    yield return new PageBlobItem(name, length, false);
                }
            }
        }

        public Task<bool> DeleteAsync(string container, string blob, CancellationToken cancellationToken) => Task.FromResult(_blobs.TryRemove((container, blob), out _));
    }
}
