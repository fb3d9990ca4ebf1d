using Azure.Storage.Blobs;
using Simulators;
using VolumeDriver.Backends.Azure;
using VolumeDriver.Backends.Azure.Blob;
using VolumeDriver.CloudCalls;
using VolumeDriver.Configuration;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Backends.Azure.Blob;

/// <summary>
/// The Blob pipeline's one retry layer against real Azurite behind the stamp's front end, which
/// answers as a busy or failing Blob service when told to: which answers are retried (Azure.Storage's
/// classifier), how long each wait is (Azure.Storage's backoff, or the Retry-After given) and when
/// the retries stop (5 retries), all on the injected clock, which skips each wait instead of spending it.
/// </summary>
public sealed class PageBlobRetryTests : IAsyncLifetime
{
    private const string Account = "k8spool0std";
    private const string Container = "vhds";
    private const string Blob = "pv-r.vhd";
    private const string BlobPath = "/" + Container + "/" + Blob;

    private AzuriteServer? _azurite;
    private int _setupRequests;

    private AzuriteServer Azurite => _azurite!;

    private BlobServiceProxy Stamp => Azurite.Stamp;

    public async Task InitializeAsync()
    {
        if (AzuriteServer.MissingReason is null)
        {
            _azurite = await AzuriteServer.StartAsync(Account).WithTimeout();
            var store = Azurite.Store(Account);
            await store.CreateContainerAsync(Container, CancellationToken.None).WithTimeout();
            await store.CreatePageBlobAsync(Container, Blob, 4096, CancellationToken.None).WithTimeout();
            _setupRequests = Stamp.Received.Count;
        }
    }

    public async Task DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync().WithTimeout();
        }
    }

    [AzuriteFact]
    public async Task A503ServerBusy_IsRetriedWithAzureStoragesBackoff_OnTheInjectedClock()
    {
        var clock = new SkipAheadTimeProvider();
        Stamp.FailNext("HEAD", BlobPath, 2, BlobRefusal.ServerBusy());

        var properties = await Store(clock).GetPropertiesAsync(Container, Blob, CancellationToken.None).WithTimeout();

        // A jitter sample of 0.5 is the middle of the ±20 % spread: the backoff itself, 0.8 s then 1.6 s.
        Assert.Equal(4096, properties?.Length);
        Assert.Equal([503, 503, 200], Answers("HEAD"));
        Assert.Equal(TimeSpan.FromSeconds(0.8 + 1.6), clock.Skipped);
    }

    [AzuriteFact]
    public async Task A500OperationTimedOut_OnAPageWrite_IsRetried_AndThePagesLand()
    {
        var clock = new SkipAheadTimeProvider();
        Stamp.FailNext("PUT", BlobPath, 1, BlobRefusal.OperationTimedOut());
        var pages = Enumerable.Repeat((byte)0x5a, 512).ToArray();

        await Store(clock).WritePagesAsync(Container, Blob, 512, pages, CancellationToken.None).WithTimeout();

        Assert.Equal([500, 201], Answers("PUT"));
        Assert.Equal(TimeSpan.FromSeconds(0.8), clock.Skipped);
        Assert.Equal(pages, await Azurite.Store(Account).ReadAsync(Container, Blob, 512, 512, CancellationToken.None).WithTimeout());
    }

    [AzuriteFact]
    public async Task ADroppedConnection_IsRetried_AsAzureCoreRetriesAnIOException()
    {
        var clock = new SkipAheadTimeProvider();
        Stamp.ResetNext("GET", BlobPath, 1);

        var bytes = await Store(clock).ReadAsync(Container, Blob, 0, 512, CancellationToken.None).WithTimeout();

        Assert.Equal(new byte[512], bytes);
        Assert.Equal([0, 206], Answers("GET"));
        Assert.Equal(TimeSpan.FromSeconds(0.8), clock.Skipped);
    }

    [AzuriteFact]
    public async Task ARetryAfter_IsWaitedAsGiven_InsteadOfTheBackoff()
    {
        var clock = new SkipAheadTimeProvider();
        Stamp.FailNext("HEAD", BlobPath, 1, BlobRefusal.ServerBusy() with { RetryAfterSeconds = 7 });

        await Store(clock).GetPropertiesAsync(Container, Blob, CancellationToken.None).WithTimeout();

        Assert.Equal([503, 200], Answers("HEAD"));
        Assert.Equal(TimeSpan.FromSeconds(7), clock.Skipped);
    }

    [AzuriteFact]
    public async Task AnAuthenticationFailure_IsNotRetried()
    {
        var clock = new SkipAheadTimeProvider();
        Stamp.FailNext("HEAD", BlobPath, 1, BlobRefusal.AuthenticationFailed());

        var e = await Assert.ThrowsAsync<CloudRequestException>(() => Store(clock).GetPropertiesAsync(Container, Blob, CancellationToken.None)).WithTimeout();

        Assert.Equal((403, "AuthenticationFailed"), (e.Status, e.ErrorCode));
        Assert.Equal([403], Answers("HEAD"));
        Assert.Equal(TimeSpan.Zero, clock.Skipped);
    }

    [AzuriteFact]
    public async Task TheDriversOptions_RetryFiveTimes_ThenTheLastAnswerStands()
    {
        // The options as the driver builds them, with their own jitter: 0.8 + 1.6 + 3.2 + 6.4 + 12.8 s, each ±20 %.
        var clock = new SkipAheadTimeProvider();
        Stamp.FailNext("HEAD", BlobPath, 10, BlobRefusal.ServerBusy());
        var store = PageBlobStore.WithSharedKey(Account, Azurite.Keys[Account], new BlobEndpoint(Azurite.EndpointTemplate), PageBlobStore.Options(Version, clock));

        var e = await Assert.ThrowsAsync<CloudRequestException>(() => store.GetPropertiesAsync(Container, Blob, CancellationToken.None)).WithTimeout();

        Assert.Equal((503, "ServerBusy"), (e.Status, e.ErrorCode));
        Assert.Equal(6, Answers("HEAD").Count);
        Assert.InRange(clock.Skipped, TimeSpan.FromSeconds(0.8 * 24.8), TimeSpan.FromSeconds(1.2 * 24.8));
    }

    [AzuriteFact]
    public async Task AReadTheGeoPrimaryRefuses_IsRetriedOnTheSecondary_AndItsNotReplicated404_BackOnThePrimary()
    {
        // Azure.Storage's GeoRedundantReadPolicy alternates a read's host on each retry; its classifier
        // retries a 404 from the secondary, and the policy then stays on the primary. The "secondary"
        // here is the same front end under another host name.
        var clock = new SkipAheadTimeProvider();
        Stamp.FailNext("HEAD", BlobPath, 1, BlobRefusal.ServerBusy(), host: "127.0.0.1");
        Stamp.FailNext("HEAD", BlobPath, 1, BlobRefusal.BlobNotFound(), host: "localhost");
        var endpoint = new BlobEndpoint(Azurite.EndpointTemplate);
        var options = Options(clock);
        options.GeoRedundantSecondaryUri = new UriBuilder(endpoint.For(Account)) { Host = "localhost" }.Uri;

        var properties = await PageBlobStore.WithSharedKey(Account, Azurite.Keys[Account], endpoint, options).GetPropertiesAsync(Container, Blob, CancellationToken.None).WithTimeout();

        Assert.Equal(4096, properties?.Length);
        Assert.Equal(
            [("127.0.0.1", 503), ("localhost", 404), ("127.0.0.1", 200)],
            Requests().Where(r => r.Method == "HEAD").Select(r => (r.Host, r.Status)));
        Assert.Equal(TimeSpan.FromSeconds(0.8 + 1.6), clock.Skipped);
    }

    private static BlobClientOptions.ServiceVersion Version => BlobServiceVersions.Parse(BlobServiceVersions.Default);

    /// <summary>The driver's options, with a retry policy whose jitter is fixed to the middle of its spread.</summary>
    private static BlobClientOptions Options(TimeProvider clock)
    {
        var options = PageBlobStore.Options(Version, clock);
        options.RetryPolicy = new ArmRetryPolicy(clock, PageBlobStore.DefaultRetries, random: () => 0.5);
        return options;
    }

    private PageBlobStore Store(TimeProvider clock) =>
        PageBlobStore.WithSharedKey(Account, Azurite.Keys[Account], new BlobEndpoint(Azurite.EndpointTemplate), Options(clock));

    /// <summary>What the front end answered the test's requests for this blob (after the setup's): host and status, in order (status 0: connection dropped).</summary>
    private IEnumerable<(string Method, string Host, int Status)> Requests() =>
        Stamp.Received.Skip(_setupRequests).Where(r => r.Path.EndsWith(BlobPath, StringComparison.Ordinal)).Select(r => (r.Method, r.Host, r.Status));

    private List<int> Answers(string method) => [.. Requests().Where(r => r.Method == method).Select(r => r.Status)];
}
