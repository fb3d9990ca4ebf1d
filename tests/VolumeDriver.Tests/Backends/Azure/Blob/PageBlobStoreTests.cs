using Azure.Storage.Blobs;
using Simulators;
using VolumeDriver.Backends.Azure;
using VolumeDriver.Backends.Azure.Blob;
using VolumeDriver.CloudCalls;
using VolumeDriver.Configuration;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Backends.Azure.Blob;

/// <summary>
/// The page-blob store (Azure.Storage.Blobs) against real Azurite, which checks every Shared Key
/// signature, behind Azure Stack Hub's limits (<see cref="AzureStackBlobLimits"/>).
/// </summary>
public sealed class PageBlobStoreTests : IAsyncLifetime
{
    private const long GiB = 1L << 30;

    private AzuriteServer? _azurite;

    private AzuriteServer Azurite => _azurite!;

    public async Task InitializeAsync()
    {
        if (AzuriteServer.MissingReason is null)
        {
            _azurite = await AzuriteServer.StartAsync("k8spool0std", "k8spool0prm").WithTimeout();
        }
    }

    public async Task DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync().WithTimeout();
        }
    }

    private PageBlobStore Client(string account = "k8spool0std", string? key = null, BlobClientOptions? options = null) =>
        PageBlobStore.WithSharedKey(account, key ?? Azurite.Keys[account], new BlobEndpoint(Azurite.EndpointTemplate), options ?? AzuriteServer.BlobOptions());

    [AzuriteFact]
    public async Task AVhdPageBlob_HoldsTheFooterWrittenAtItsEnd_AndIsNeverOverwritten()
    {
        var client = Client();
        await client.CreateContainerAsync("vhds", CancellationToken.None).WithTimeout();
        await client.CreateContainerAsync("vhds", CancellationToken.None).WithTimeout();
        var footer = VhdFooter.Create(GiB, DateTimeOffset.UtcNow, Guid.NewGuid());

        Assert.True(await client.CreatePageBlobAsync("vhds", "pv-a.vhd", GiB + VhdFooter.Size, CancellationToken.None).WithTimeout());
        await client.WritePagesAsync("vhds", "pv-a.vhd", GiB, footer, CancellationToken.None).WithTimeout();

        var properties = await client.GetPropertiesAsync("vhds", "pv-a.vhd", CancellationToken.None).WithTimeout();
        Assert.Equal(GiB + 512, properties?.Length);
        Assert.False(properties?.Leased);
        Assert.Equal(GiB, VhdFooter.ReadDiskSize(await client.ReadAsync("vhds", "pv-a.vhd", GiB, VhdFooter.Size, CancellationToken.None).WithTimeout()));
        Assert.All(await client.ReadAsync("vhds", "pv-a.vhd", 0, 4096, CancellationToken.None).WithTimeout(), b => Assert.Equal(0, b));

        Assert.False(await client.CreatePageBlobAsync("vhds", "pv-a.vhd", 2 * GiB, CancellationToken.None).WithTimeout());
        Assert.Equal(GiB + 512, (await client.GetPropertiesAsync("vhds", "pv-a.vhd", CancellationToken.None).WithTimeout())?.Length);
        Assert.Equal(new BlobEndpoint(Azurite.EndpointTemplate).For("k8spool0std").AbsoluteUri + "vhds/pv-a.vhd", client.BlobUri("vhds", "pv-a.vhd").AbsoluteUri);
    }

    [AzuriteFact]
    public async Task Listing_FollowsNextMarker_ThroughEveryPage()
    {
        var client = Client();
        client.ListPageSize = 3;
        await client.CreateContainerAsync("vhds", CancellationToken.None).WithTimeout();
        foreach (var i in Enumerable.Range(0, 8))
        {
            await client.CreatePageBlobAsync("vhds", $"pv-{i}.vhd", 512 * (i + 1), CancellationToken.None).WithTimeout();
        }

        var listed = await client.ListAsync("vhds", CancellationToken.None).ToListAsync().WithTimeout();

        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"pv-{i}.vhd"), listed.Select(b => b.Name).Order(StringComparer.Ordinal));
        Assert.Equal(512 * 8, listed.Single(b => b.Name == "pv-7.vhd").Length);
        Assert.Empty(await Client().ListAsync("no-such-container", CancellationToken.None).ToListAsync().WithTimeout());
    }

    [AzuriteFact]
    public async Task ALeasedBlob_RefusesDeletion_AndAFreeOneGoesOnce()
    {
        var client = Client("k8spool0prm");
        await client.CreateContainerAsync("vhds", CancellationToken.None).WithTimeout();
        await client.CreatePageBlobAsync("vhds", "attached.vhd", 1024, CancellationToken.None).WithTimeout();
        await client.CreatePageBlobAsync("vhds", "free.vhd", 1024, CancellationToken.None).WithTimeout();
        await client.AcquireLeaseAsync("vhds", "attached.vhd", CancellationToken.None).WithTimeout();

        var e = await Assert.ThrowsAsync<CloudRequestException>(() => client.DeleteAsync("vhds", "attached.vhd", CancellationToken.None)).WithTimeout();

        Assert.Equal((412, "LeaseIdMissing"), (e.Status, e.ErrorCode));
        Assert.EndsWith($"(Blob service request id {e.RequestId})", e.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(e.RequestId));
        Assert.True((await client.GetPropertiesAsync("vhds", "attached.vhd", CancellationToken.None).WithTimeout())?.Leased);
        Assert.True(await client.DeleteAsync("vhds", "free.vhd", CancellationToken.None).WithTimeout());
        Assert.False(await client.DeleteAsync("vhds", "free.vhd", CancellationToken.None).WithTimeout());
        Assert.Null(await client.GetPropertiesAsync("vhds", "free.vhd", CancellationToken.None).WithTimeout());
    }

    [AzuriteFact]
    public async Task AWrongKey_IsRefusedByAzurite_AndTheMessageHoldsNoKey()
    {
        var wrong = Convert.ToBase64String(new byte[64]);

        var e = await Assert.ThrowsAsync<CloudRequestException>(() => Client(key: wrong).CreateContainerAsync("vhds", CancellationToken.None)).WithTimeout();

        Assert.Equal(403, e.Status);
        Assert.DoesNotContain(wrong, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Azurite.Keys["k8spool0std"], e.Message, StringComparison.Ordinal);
    }

    [AzuriteFact]
    public async Task EveryRequest_CarriesThePinnedServiceVersion_AndTheStampRefusesTheSdksDefault()
    {
        var client = Client();
        await client.CreateContainerAsync("vhds", CancellationToken.None).WithTimeout();
        await client.CreatePageBlobAsync("vhds", "pv-v.vhd", 4096, CancellationToken.None).WithTimeout();
        await client.WritePagesAsync("vhds", "pv-v.vhd", 0, new byte[4096], CancellationToken.None).WithTimeout();
        await client.ReadAsync("vhds", "pv-v.vhd", 0, 512, CancellationToken.None).WithTimeout();
        await client.GetPropertiesAsync("vhds", "pv-v.vhd", CancellationToken.None).WithTimeout();
        await client.ListAsync("vhds", CancellationToken.None).ToListAsync().WithTimeout();
        await client.DeleteAsync("vhds", "pv-v.vhd", CancellationToken.None).WithTimeout();

        Assert.Equal([BlobServiceVersions.Default], Azurite.ServiceVersions);

        var unpinned = new BlobClientOptions();
        unpinned.Retry.MaxRetries = 0;
        var e = await Assert.ThrowsAsync<CloudRequestException>(() => Client(options: unpinned).CreatePageBlobAsync("vhds", "pv-new.vhd", 4096, CancellationToken.None)).WithTimeout();
        Assert.Equal((400, "InvalidHeaderValue"), (e.Status, e.ErrorCode));
        Assert.Contains("400 InvalidHeaderValue", e.Message, StringComparison.Ordinal);
        Assert.Null(await client.GetPropertiesAsync("vhds", "pv-new.vhd", CancellationToken.None).WithTimeout());
    }

    [AzuriteFact]
    public async Task ThePageBlobMaximum_HoldsTheLargestVhd_AndTheStampRefusesOneByteMore()
    {
        var client = Client();
        await client.CreateContainerAsync("vhds", CancellationToken.None).WithTimeout();

        Assert.True(await client.CreatePageBlobAsync("vhds", "largest.vhd", AzureStackPageBlobs.MaxDiskBytes + VhdFooter.Size, CancellationToken.None).WithTimeout());
        var e = await Assert.ThrowsAsync<CloudRequestException>(() => client.CreatePageBlobAsync("vhds", "too-large.vhd", AzureStackPageBlobs.MaxPageBlobBytes + 512, CancellationToken.None)).WithTimeout();

        Assert.Equal(1023L << 30, AzureStackPageBlobs.MaxDiskBytes);
        Assert.Equal((400, "InvalidHeaderValue"), (e.Status, e.ErrorCode));
    }
}
