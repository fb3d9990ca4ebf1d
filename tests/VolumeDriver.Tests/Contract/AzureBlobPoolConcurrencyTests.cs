using Simulators.Arm;
using VolumeDriver.Backends.Azure.Blob;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Contract;

/// <summary>
/// The shared pool under concurrency, through the published binary: eight `attach` processes at a
/// time on one controller (one state and lock directory), 70 shared Premium_LRS disks over eight
/// VMs. Every placement must follow the pool rules on the counts as they were when it was made, the
/// order the VHDs reached the Blob service in (placements are serialised by the per-SKU lock).
/// </summary>
public sealed class AzureBlobPoolConcurrencyTests
{
    private const int Disks = 70;
    private const int Processes = 8;
    private const string Sku = "Premium_LRS";

    private static readonly ArmSimulatorOptions Defaults = new();
    private static readonly string Prefix = StorageAccountPool.Prefix(Defaults.SubscriptionId, Defaults.ResourceGroup);

    private static string Options(string volume) => GoJson.Marshal(new Dictionary<string, string>
    {
        ["kubernetes.io/fsType"] = "", ["kubernetes.io/pvOrVolumeName"] = volume, ["kubernetes.io/readwrite"] = "rw", ["size"] = "1Gi", ["kind"] = "shared", ["skuname"] = Sku,
    });

    [AzuriteLifecycleFact]
    public async Task EightConcurrentAttachProcesses_Place70SharedDisks_ByThePoolRulesOnFreshCounts()
    {
        var standard = AzureStackTestBed.PoolAccount("Standard_LRS");
        string[] premium = [.. Enumerable.Range(1, 6).Select(n => AzureStackTestBed.PoolAccount(Sku, n))];
        await using var azurite = await AzuriteServer.StartAsync([standard, .. premium]).WithTimeout();
        string[] vms = [.. Enumerable.Range(1, Processes).Select(n => $"vm-{n}")];
        await using var cloud = await AzureTestCloud.StartAsync(["ctl"], TimeSpan.FromMilliseconds(50), configure: o => o with
        {
            Vms = vms,
            UnmanagedOsDiskVms = vms,
            BlobEndpointTemplate = azurite.EndpointTemplate,
            StorageAccountKeys = azurite.Keys,
            VhdDiskBytes = _ => 1L << 30,
            AzureStackStorage = true,
        }).WithTimeout();

        var workers = Enumerable.Range(0, Processes).Select(async worker =>
        {
            for (var disk = worker; disk < Disks; disk += Processes)
            {
                await cloud.ExpectAsync("ctl", "Success", "attach", Options($"pv-{disk:00}"), vms[worker]).WithTimeout();
            }
        });
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromMinutes(8));

        // Replay the placements in the order the VHDs were created: before each, the rules on the counts
        // of that moment name the account it went to (the pool started with one account of each SKU).
        var placements = azurite.PageBlobCreates.Select(p => p.Trim('/').Split('/')).Where(p => p[1] == BlobDiskProvisioner.Container).Select(p => p[0]).ToList();
        Assert.True(Disks == placements.Count, $"{placements.Count} VHDs created for {Disks} disks; create requests: {string.Join(", ", azurite.PageBlobCreateAttempts.Select(a => $"{a.Path} {a.Status}"))}");
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < placements.Count; i++)
        {
            List<PoolAccount> pool = [new(standard, "Standard_LRS", 0), .. counts.Select(c => new PoolAccount(c.Key, Sku, c.Value))];
            var expected = StorageAccountPool.Choose(pool, Sku, Prefix).Account;
            Assert.True(expected == placements[i], $"placement {i + 1} went to {placements[i]}; with counts [{string.Join(", ", counts.Select(c => $"{c.Key}: {c.Value}"))}] the rules choose {expected}");
            counts[placements[i]] = counts.GetValueOrDefault(placements[i]) + 1;
        }

        Assert.Equal([30, 30, 10], counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => c.Value));
        Assert.Equal(Disks, cloud.Arm.VhdAttachments().Count);
        Assert.Equal([.. premium[..3], standard], cloud.Arm.StorageAccounts().Select(a => a.Name).Order(StringComparer.Ordinal));
        Assert.All(cloud.Arm.StorageAccounts(), a => Assert.Equal("Storage", cloud.Arm.StorageAccountKind(a.Name)));
    }
}
