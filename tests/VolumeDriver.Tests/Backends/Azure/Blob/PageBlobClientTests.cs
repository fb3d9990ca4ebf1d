using Azure.Core;
using Azure.Core.Pipeline;
using VolumeDriver.Backends.Azure;
using VolumeDriver.Backends.Azure.Blob;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Backends.Azure.Blob;

/// <summary>The Blob REST client against real Azurite, which checks every Shared Key signature.</summary>
public sealed class PageBlobClientTests : IAsyncLifetime
{
    private const long GiB = 1L << 30;

    private AzuriteServer? _azurite;

    private AzuriteServer Azurite => _azurite!;

    public async Task InitializeAsync()
    {
        if (AzuriteServer.MissingReason is null)
        {
            _azurite = await AzuriteServer.StartAsync("k8spool0std", "k8spool0prm");
        }
    }

    public async Task DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }

    private PageBlobClient Client(string account = "k8spool0std", string? key = null) =>
        PageBlobClient.WithSharedKey(account, key ?? Azurite.Keys[account], new BlobEndpoint(Azurite.EndpointTemplate), new TestClientOptions(), TimeProvider.System);

    [AzuriteFact]
    public async Task AVhdPageBlob_HoldsTheFooterWrittenAtItsEnd_AndIsNeverOverwritten()
    {
        var client = Client();
        await client.CreateContainerAsync("vhds", CancellationToken.None);
        await client.CreateContainerAsync("vhds", CancellationToken.None);
        var footer = VhdFooter.Create(GiB, DateTimeOffset.UtcNow, Guid.NewGuid());

        Assert.True(await client.CreatePageBlobAsync("vhds", "pv-a.vhd", GiB + VhdFooter.Size, CancellationToken.None));
        await client.WritePagesAsync("vhds", "pv-a.vhd", GiB, footer, CancellationToken.None);

        var properties = await client.GetPropertiesAsync("vhds", "pv-a.vhd", CancellationToken.None);
        Assert.Equal(GiB + 512, properties?.Length);
        Assert.False(properties?.Leased);
        Assert.Equal(GiB, VhdFooter.ReadDiskSize(await client.ReadAsync("vhds", "pv-a.vhd", GiB, VhdFooter.Size, CancellationToken.None)));
        Assert.All(await client.ReadAsync("vhds", "pv-a.vhd", 0, 4096, CancellationToken.None), b => Assert.Equal(0, b));

        Assert.False(await client.CreatePageBlobAsync("vhds", "pv-a.vhd", 2 * GiB, CancellationToken.None));
        Assert.Equal(GiB + 512, (await client.GetPropertiesAsync("vhds", "pv-a.vhd", CancellationToken.None))?.Length);
        Assert.Equal("http://127.0.0.1:" + Azurite.Port + "/k8spool0std/vhds/pv-a.vhd", client.BlobUri("vhds", "pv-a.vhd").AbsoluteUri);
    }

    [AzuriteFact]
    public async Task Listing_FollowsNextMarker_ThroughEveryPage()
    {
        var client = new PageBlobClient(Client().Account, new BlobEndpoint(Azurite.EndpointTemplate).For("k8spool0std"), Pipeline("k8spool0std")) { ListPageSize = 3 };
        await client.CreateContainerAsync("vhds", CancellationToken.None);
        foreach (var i in Enumerable.Range(0, 8))
        {
            await client.CreatePageBlobAsync("vhds", $"pv-{i}.vhd", 512 * (i + 1), CancellationToken.None);
        }

        var listed = await client.ListAsync("vhds", CancellationToken.None).ToListAsync();

        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"pv-{i}.vhd"), listed.Select(b => b.Name).Order(StringComparer.Ordinal));
        Assert.Equal(512 * 8, listed.Single(b => b.Name == "pv-7.vhd").Length);
        Assert.Empty(await Client().ListAsync("no-such-container", CancellationToken.None).ToListAsync());
    }

    [AzuriteFact]
    public async Task ALeasedBlob_RefusesDeletion_AndAFreeOneGoesOnce()
    {
        var client = Client("k8spool0prm");
        await client.CreateContainerAsync("vhds", CancellationToken.None);
        await client.CreatePageBlobAsync("vhds", "attached.vhd", 1024, CancellationToken.None);
        await client.CreatePageBlobAsync("vhds", "free.vhd", 1024, CancellationToken.None);
        await client.AcquireLeaseAsync("vhds", "attached.vhd", CancellationToken.None);

        var e = await Assert.ThrowsAsync<AzureServiceException>(() => client.DeleteAsync("vhds", "attached.vhd", CancellationToken.None));

        Assert.Equal((412, "LeaseIdMissing"), (e.Status, e.Code));
        Assert.True((await client.GetPropertiesAsync("vhds", "attached.vhd", CancellationToken.None))?.Leased);
        Assert.True(await client.DeleteAsync("vhds", "free.vhd", CancellationToken.None));
        Assert.False(await client.DeleteAsync("vhds", "free.vhd", CancellationToken.None));
        Assert.Null(await client.GetPropertiesAsync("vhds", "free.vhd", CancellationToken.None));
    }

    [AzuriteFact]
    public async Task AWrongKey_IsRefusedByAzurite_AndTheMessageHoldsNoKey()
    {
        var wrong = Convert.ToBase64String(new byte[64]);

        var e = await Assert.ThrowsAsync<AzureServiceException>(() => Client(key: wrong).CreateContainerAsync("vhds", CancellationToken.None));

        Assert.Equal(403, e.Status);
        Assert.DoesNotContain(wrong, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Azurite.Keys["k8spool0std"], e.Message, StringComparison.Ordinal);
    }

    private HttpPipeline Pipeline(string account) =>
        HttpPipelineBuilder.Build(new TestClientOptions(), [], [new SharedKeyAuthenticationPolicy(account, Azurite.Keys[account], TimeProvider.System)], new ResponseClassifier());

    private sealed class TestClientOptions : ClientOptions
    {
        public TestClientOptions()
        {
            Retry.MaxRetries = 0;
        }
    }
}
