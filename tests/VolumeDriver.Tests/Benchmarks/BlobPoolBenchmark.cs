using System.Diagnostics;
using System.Globalization;
using System.Text;
using Simulators;
using VolumeDriver.Backends;
using VolumeDriver.Backends.Azure;
using VolumeDriver.Backends.Azure.Blob;
using VolumeDriver.Domain;
using VolumeDriver.Tests.TestSupport;
using Xunit.Abstractions;

namespace VolumeDriver.Tests.Benchmarks;

/// <summary>
/// A benchmark, not a test: the ARM and Blob requests one shared blob-disk provision costs in pools
/// of 2, 20 and 100 accounts (first with no count cache, as on a node that never provisioned, then
/// with the node's cache fresh), and the wall time of 100 sequential provisions with 20 ms added to
/// every ARM and Blob request, beside the in-tree plugin's pattern. Each provision runs in a new
/// backend, as each FlexVolume call is a new process; only the node's state directory carries over.
/// ARM is the double; blobs are real Azurite behind a counting proxy. VOLUME_DRIVER_BENCH=1 only
/// (scripts/bench-blob.sh); writes artifacts/bench-blob.md.
/// </summary>
public sealed class BlobPoolBenchmark(ITestOutputHelper output)
{
    private const int SeedDisksPerAccount = 5;

    [BenchmarkFact]
    public async Task RequestsPerProvision_AndAHundredSequentialProvisions()
    {
        var report = new StringBuilder();
        report.AppendLine("# Blob-disk pool benchmark").AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"ARM double on 127.0.0.1 (HTTPS), real Azurite behind a counting proxy, Standard_LRS shared disks of 1 GiB; seeded accounts hold {SeedDisksPerAccount} VHDs each. Each provision is a new backend (a new process in production): it fetches an ARM token (counted apart) and reads the node's count cache (TTL 1 min) from its state directory.").AppendLine();
        report.AppendLine("| pool accounts | ARM requests, no cache (token) | Blob requests, no cache | ARM requests, cache fresh | Blob requests, cache fresh | in-tree azure_dd, counts unknown | in-tree, counts cached |").AppendLine("|---|---|---|---|---|---|---|");
        foreach (var accounts in new[] { 2, 20, 100 })
        {
            await using var pool = await PoolAsync(accounts).WithTimeout();
            var cold = await pool.ProvisionCountedAsync("cold-node", "pv-cold").WithTimeout();
            var warm = await pool.ProvisionCountedAsync("cold-node", "pv-warm").WithTimeout();

            // The in-tree controller (from its code, /shared/reference/azure.md §1.2): for each account of the
            // SKU whose count is unknown, GET account and listKeys (ARM), create container and list its first
            // page (Blob); then Put Blob and Put Page. It kept counts and keys in memory, and lost them on restart.
            var sameSku = accounts - 1;
            report.AppendLine(CultureInfo.InvariantCulture, $"| {accounts} | {cold.Arm} ({cold.Token}) | {cold.Blob} | {warm.Arm} ({warm.Token}) | {warm.Blob} | {1 + 2 * sameSku} ARM + {2 * sameSku + 2} Blob | 0 ARM + 2 Blob |");
        }

        report.AppendLine().AppendLine("100 sequential provisions, 20 ms added to every ARM and Blob request (storage-account creation in the double takes 100 ms; Azure takes 20-30 s):").AppendLine();
        report.AppendLine("| start | wall time | per provision | ARM requests | Blob requests | accounts at the end |").AppendLine("|---|---|---|---|---|---|");
        foreach (var accounts in new[] { 0, 100 })
        {
            await using var pool = await PoolAsync(accounts).WithTimeout();
            pool.Bed.Arm.Latency = TimeSpan.FromMilliseconds(20);
            pool.Proxy.Latency = TimeSpan.FromMilliseconds(20);
            pool.Bed.Arm.Requests.Reset();
            pool.Proxy.Requests.Reset();
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < 100; i++)
            {
                await pool.Bed.Backend("node-1").ProvisionAsync(Request($"pv-seq{i:000}"), CancellationToken.None).WithTimeout();
            }

            clock.Stop();
            var start = accounts == 0 ? "empty pool" : $"{accounts} accounts";
            report.AppendLine(CultureInfo.InvariantCulture, $"| {start} | {clock.Elapsed.TotalSeconds:0.0} s | {clock.Elapsed.TotalMilliseconds / 100:0} ms | {pool.Bed.Arm.Requests.Total} | {pool.Proxy.Requests.Total} | {pool.Bed.Arm.StorageAccounts().Count} |");
        }

        await BenchmarkReport.PublishAsync(output, "bench-blob", report.ToString()).WithTimeout();
    }

    private static DiskRequest Request(string volume) =>
        new(VolumeName.TryCreate(volume, out var v, out _) ? v.Value : throw new ArgumentException(volume), ByteSize.FromGiB(1), new Dictionary<string, string> { ["kind"] = "shared" });

    /// <summary>A pool of <paramref name="accounts"/> accounts: one Premium_LRS, the rest Standard_LRS with a few VHDs each.</summary>
    private static async Task<Pool> PoolAsync(int accounts)
    {
        // Azurite knows every account the pool could grow to.
        string[] names = [.. Enumerable.Range(1, 105).Select(i => AzureStackTestBed.PoolAccount("Standard_LRS", i)), AzureStackTestBed.PoolAccount("Premium_LRS")];
        var azurite = await AzuriteServer.StartAsync(names).WithTimeout();
        var proxy = await BlobServiceProxy.StartAsync(new Uri($"http://127.0.0.1:{azurite.Port}/"), Directory.CreateTempSubdirectory("vd-blob-proxy-").FullName).WithTimeout();
        var bed = await AzureStackTestBed.StartAsync(o => o with { BlobEndpointTemplate = proxy.EndpointTemplate, StorageAccountKeys = azurite.Keys }).WithTimeout();
        var pool = new Pool(azurite, proxy, bed);
        if (accounts > 0)
        {
            var clients = bed.Clients(bed.Configuration("seeder"));
            var arm = new StorageAccountClient(clients.CreateArmPipeline(), StorageAccountClientOptions.For(clients.Cloud, clients.Cloud.ResourceGroup), TimeProvider.System);
            await arm.CreateAsync(AzureStackTestBed.PoolAccount("Premium_LRS"), "Premium_LRS", clients.Cloud.Location, new Dictionary<string, string> { [StorageAccountPool.PoolTag] = "Premium_LRS" }, CancellationToken.None).WithTimeout();
            for (var i = 1; i < accounts; i++)
            {
                var name = AzureStackTestBed.PoolAccount("Standard_LRS", i);
                await arm.CreateAsync(name, "Standard_LRS", clients.Cloud.Location, new Dictionary<string, string> { [StorageAccountPool.PoolTag] = "Standard_LRS" }, CancellationToken.None).WithTimeout();
                var store = azurite.Store(name);
                await store.CreateContainerAsync(BlobDiskProvisioner.Container, CancellationToken.None).WithTimeout();
                for (var disk = 0; disk < SeedDisksPerAccount; disk++)
                {
                    await store.CreatePageBlobAsync(BlobDiskProvisioner.Container, $"seed-{i}-{disk}.vhd", (1 << 20) + VhdFooter.Size, CancellationToken.None).WithTimeout();
                }
            }
        }

        return pool;
    }

    private sealed class Pool(AzuriteServer azurite, BlobServiceProxy proxy, AzureStackTestBed bed) : IAsyncDisposable
    {
        public AzureStackTestBed Bed => bed;

        public BlobServiceProxy Proxy => proxy;

        public async Task<(int Arm, int Token, int Blob)> ProvisionCountedAsync(string node, string volume)
        {
            var backend = bed.Backend(node);
            bed.Arm.Requests.Reset();
            proxy.Requests.Reset();
            var disk = await backend.ProvisionAsync(Request(volume), CancellationToken.None).WithTimeout();
            Assert.True(disk.Created);
            var arm = bed.Arm.Requests.Snapshot();
            var token = arm.Where(p => p.Key.Contains("/oauth2/", StringComparison.Ordinal)).Sum(p => p.Value);
            return (arm.Values.Sum() - token, token, proxy.Requests.Total);
        }

        public async ValueTask DisposeAsync()
        {
            await bed.DisposeAsync().WithTimeout();
            await proxy.DisposeAsync().WithTimeout();
            await azurite.DisposeAsync().WithTimeout();
        }
    }
}
