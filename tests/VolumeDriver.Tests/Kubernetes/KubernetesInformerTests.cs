using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Simulators.Kubernetes;
using VolumeDriver.Kubernetes;
using VolumeDriver.Kubernetes.Models;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Kubernetes;

/// <summary>The informer against the double: list then watch, relist on 410, resync, re-watch from the last version.</summary>
public sealed class KubernetesInformerTests
{
    private static readonly KubernetesResourceType<StorageClass> Classes = KubernetesResources.StorageClasses;

    [Fact]
    public async Task Run_ListsThenWatches_HandingOverAddsUpdatesAndDeletes()
    {
        await using var bed = await KubernetesTestBed.StartAsync();
        var client = bed.Client();
        await client.CreateAsync(Classes, KubernetesApiClientTests.Class("a"), CancellationToken.None).WithTimeout();
        await client.CreateAsync(Classes, KubernetesApiClientTests.Class("b"), CancellationToken.None).WithTimeout();
        await using var run = Informers.Start(client, new KubernetesInformerOptions(), TimeProvider.System);

        Assert.Equal([(InformerChangeType.Added, "a"), (InformerChangeType.Added, "b")], await run.NextAsync(2));
        await run.Informer.WaitForSyncAsync(CancellationToken.None).WithTimeout();
        Assert.True(run.Informer.HasSynced);

        await client.CreateAsync(Classes, KubernetesApiClientTests.Class("c"), CancellationToken.None).WithTimeout();
        await client.PatchAsync(Classes, null, "a", Label("x"), CancellationToken.None).WithTimeout();
        await client.DeleteAsync(Classes, null, "b", null, CancellationToken.None).WithTimeout();

        Assert.Equal([(InformerChangeType.Added, "c"), (InformerChangeType.Updated, "a"), (InformerChangeType.Deleted, "b")], await run.NextAsync(3));
        var update = run.Seen.Single(c => c.Type == InformerChangeType.Updated);
        Assert.Null(update.Old!.Metadata!.Labels);
        Assert.Equal("x", update.Object.Metadata!.Labels!["v"]);
        Assert.Equal(["a", "c"], run.Informer.List().Select(c => c.Metadata!.Name).Order());
        Assert.Equal("x", run.Informer.Get(null, "a")!.Metadata!.Labels!["v"]);
        Assert.Null(run.Informer.Get(null, "b"));
    }

    [Fact]
    public async Task Run_AfterA410_ListsAgain_AndHandsOverWhatChangedMeanwhile()
    {
        await using var bed = await KubernetesTestBed.StartAsync();
        var client = bed.Client();
        await client.CreateAsync(Classes, KubernetesApiClientTests.Class("a"), CancellationToken.None).WithTimeout();
        await client.CreateAsync(Classes, KubernetesApiClientTests.Class("b"), CancellationToken.None).WithTimeout();
        var changes = Channel.CreateUnbounded<InformerChange<StorageClass>>();
        var informer = new KubernetesInformer<StorageClass>(client, Classes, null, new KubernetesInformerOptions(), (change, token) => changes.Writer.WriteAsync(change, token).AsTask(), TimeProvider.System, NullLogger.Instance);
        using (var first = new CancellationTokenSource())
        {
            var running = informer.RunAsync(first.Token);
            await informer.WaitForSyncAsync(CancellationToken.None).WithTimeout();
            await first.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WithTimeout());
        }

        var stale = informer.ResourceVersion;
        await client.CreateAsync(Classes, KubernetesApiClientTests.Class("c"), CancellationToken.None).WithTimeout();
        await client.PatchAsync(Classes, null, "a", Label("y"), CancellationToken.None).WithTimeout();
        await client.DeleteAsync(Classes, null, "b", null, CancellationToken.None).WithTimeout();
        bed.Api.CompactHistory();
        while (changes.Reader.TryRead(out _))
        {
        }

        using var second = new CancellationTokenSource();
        var again = informer.RunAsync(second.Token);
        var seen = new List<(InformerChangeType, string)>();
        for (var i = 0; i < 3; i++)
        {
            var change = await changes.Reader.ReadAsync().AsTask().WithTimeout();
            seen.Add((change.Type, change.Object.Metadata!.Name!));
        }

        Assert.Equal([(InformerChangeType.Updated, "a"), (InformerChangeType.Added, "c"), (InformerChangeType.Deleted, "b")], seen);
        Assert.Contains($"GET /apis/storage.k8s.io/v1/storageclasses?watch=true&resourceVersion={stale}&allowWatchBookmarks=true&timeoutSeconds=300", bed.Api.Requests);
        Assert.Equal(3, bed.Api.Requests.Count(r => r.StartsWith("GET /apis/storage.k8s.io/v1/storageclasses?limit=", StringComparison.Ordinal)) + 1);
        await second.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => again.WithTimeout());
    }

    [Fact]
    public async Task Run_HandsEveryCachedObjectOverAgain_EachResyncPeriod()
    {
        var clock = new WatchedClock();
        await using var bed = await KubernetesTestBed.StartAsync(timeProvider: clock);
        var client = bed.Client();
        await client.CreateAsync(Classes, KubernetesApiClientTests.Class("a"), CancellationToken.None).WithTimeout();
        await client.CreateAsync(Classes, KubernetesApiClientTests.Class("b"), CancellationToken.None).WithTimeout();
        var period = TimeSpan.FromMinutes(1);
        await using var run = Informers.Start(client, new KubernetesInformerOptions { ResyncPeriod = period }, clock);
        await run.NextAsync(2);

        // A change seen through the watch: the watch is open before the clock moves.
        await client.CreateAsync(Classes, KubernetesApiClientTests.Class("b2"), CancellationToken.None).WithTimeout();
        Assert.Equal([(InformerChangeType.Added, "b2")], await run.NextAsync(1));
        await clock.WaitForTimerAsync(period).WithTimeout();

        clock.Advance(period);

        Assert.Equal([(InformerChangeType.Resync, "a"), (InformerChangeType.Resync, "b"), (InformerChangeType.Resync, "b2")], await run.NextAsync(3));
        await client.CreateAsync(Classes, KubernetesApiClientTests.Class("c"), CancellationToken.None).WithTimeout();
        Assert.Equal([(InformerChangeType.Added, "c")], await run.NextAsync(1));
        Assert.Equal(2, bed.Api.Requests.Count(r => r.Contains("storageclasses?watch=true", StringComparison.Ordinal)));
        Assert.Equal(1, bed.Api.Requests.Count(r => r.StartsWith("GET /apis/storage.k8s.io/v1/storageclasses?limit=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Run_WhenTheStreamEnds_WatchesAgainFromTheLastBookmark()
    {
        var serverClock = new ManualTimeProvider();
        await using var bed = await KubernetesTestBed.StartAsync(new KubernetesApiOptions { TimeProvider = serverClock });
        var client = bed.Client();
        await using var run = Informers.Start(client, new KubernetesInformerOptions { LabelSelector = "team=a" }, TimeProvider.System);
        await run.Informer.WaitForSyncAsync(CancellationToken.None).WithTimeout();
        await client.CreateAsync(Classes, KubernetesApiClientTests.Class("a1") with { Metadata = new ObjectMeta { Name = "a1", Labels = new Dictionary<string, string> { ["team"] = "a" } } }, CancellationToken.None).WithTimeout();
        Assert.Equal([(InformerChangeType.Added, "a1")], await run.NextAsync(1));

        // A change this watch does not select moves the store on; only the bookmark tells the informer.
        var other = await client.CreateAsync(Classes, KubernetesApiClientTests.Class("b1"), CancellationToken.None).WithTimeout();
        bed.Api.SendBookmarks();
        await Until(() => run.Informer.ResourceVersion == other.Metadata!.ResourceVersion).WithTimeout();
        serverClock.Advance(TimeSpan.FromMinutes(5));

        await client.CreateAsync(Classes, KubernetesApiClientTests.Class("a2") with { Metadata = new ObjectMeta { Name = "a2", Labels = new Dictionary<string, string> { ["team"] = "a" } } }, CancellationToken.None).WithTimeout();
        Assert.Equal([(InformerChangeType.Added, "a2")], await run.NextAsync(1));
        Assert.Contains($"GET /apis/storage.k8s.io/v1/storageclasses?watch=true&resourceVersion={other.Metadata!.ResourceVersion}&allowWatchBookmarks=true&timeoutSeconds=300&labelSelector=team%3Da", bed.Api.Requests);
        Assert.Equal(1, bed.Api.Requests.Count(r => r.StartsWith("GET /apis/storage.k8s.io/v1/storageclasses?", StringComparison.Ordinal) && !r.Contains("watch=true", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Run_StopsAtOnceWhenCancelled()
    {
        await using var bed = await KubernetesTestBed.StartAsync();
        var client = bed.Client();
        var informer = new KubernetesInformer<StorageClass>(client, Classes, null, new KubernetesInformerOptions(), (_, _) => Task.CompletedTask, TimeProvider.System, NullLogger.Instance);
        using var cancel = new CancellationTokenSource();
        var running = informer.RunAsync(cancel.Token);
        await informer.WaitForSyncAsync(CancellationToken.None).WithTimeout();

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WithTimeout(TimeSpan.FromSeconds(5)));
    }

    private static JsonObject Label(string value) => new() { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["v"] = value } } };

    /// <summary>Waits (yielding, never sleeping) until <paramref name="condition"/> holds; the caller puts a time limit on it.</summary>
    private static async Task Until(Func<bool> condition)
    {
        while (!condition())
        {
            await Task.Yield();
        }
    }

    /// <summary>A running informer over StorageClasses whose handler records every change.</summary>
    private sealed class Informers : IAsyncDisposable
    {
        private readonly Channel<InformerChange<StorageClass>> _changes = Channel.CreateUnbounded<InformerChange<StorageClass>>();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _running;

        private Informers(KubernetesApiClient client, KubernetesInformerOptions options, TimeProvider timeProvider)
        {
            Informer = new KubernetesInformer<StorageClass>(client, Classes, null, options, (change, token) =>
            {
                Seen.Add(change);
                return _changes.Writer.WriteAsync(change, token).AsTask();
            }, timeProvider, NullLogger.Instance);
            _running = Informer.RunAsync(_stop.Token);
        }

        public KubernetesInformer<StorageClass> Informer { get; }

        public List<InformerChange<StorageClass>> Seen { get; } = [];

        public static Informers Start(KubernetesApiClient client, KubernetesInformerOptions options, TimeProvider timeProvider) => new(client, options, timeProvider);

        public async Task<List<(InformerChangeType, string)>> NextAsync(int count)
        {
            var next = new List<(InformerChangeType, string)>();
            for (var i = 0; i < count; i++)
            {
                var change = await _changes.Reader.ReadAsync().AsTask().WithTimeout();
                next.Add((change.Type, change.Object.Metadata!.Name!));
            }

            return next;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _running.WithTimeout());
            _stop.Dispose();
        }
    }
}
