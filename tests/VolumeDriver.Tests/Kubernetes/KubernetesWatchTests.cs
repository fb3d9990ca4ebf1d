using System.Text.Json.Nodes;
using Simulators.Kubernetes;
using VolumeDriver.CloudCalls;
using VolumeDriver.Kubernetes;
using VolumeDriver.Kubernetes.Models;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Kubernetes;

/// <summary>The client's watch against the double: from a resourceVersion, bookmarks, 410 and the end of a stream.</summary>
public sealed class KubernetesWatchTests
{
    private static readonly KubernetesResourceType<StorageClass> Classes = KubernetesResources.StorageClasses;

    [Fact]
    public async Task Watch_FromAListsResourceVersion_SeesEveryChangeAfterIt_AndNothingBefore()
    {
        await using var bed = await KubernetesTestBed.StartAsync().WithTimeout();
        var client = bed.Client();
        await client.CreateAsync(Classes, KubernetesApiClientTests.Class("a"), CancellationToken.None).WithTimeout();
        var listed = await client.ListAsync(Classes, null, null, CancellationToken.None).WithTimeout();
        await client.CreateAsync(Classes, KubernetesApiClientTests.Class("b"), CancellationToken.None).WithTimeout();
        await client.PatchAsync(Classes, null, "a", new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["x"] = "1" } } }, CancellationToken.None).WithTimeout();
        await client.DeleteAsync(Classes, null, "b", null, CancellationToken.None).WithTimeout();

        var seen = await Take(client.WatchAsync(Classes, null, new KubernetesWatchOptions { ResourceVersion = listed.Metadata!.ResourceVersion }, CancellationToken.None), 3).WithTimeout();

        Assert.Equal([(WatchEventType.Added, "b"), (WatchEventType.Modified, "a"), (WatchEventType.Deleted, "b")], seen.Select(e => (e.Type, e.Object.Metadata!.Name!)));
        Assert.Equal("1", seen[1].Object.Metadata!.Labels!["x"]);
        Assert.Equal("vendor/driver", seen[2].Object.Provisioner);
        var versions = seen.Select(e => long.Parse(e.ResourceVersion!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(versions.Order(), versions);
        Assert.True(versions[0] > long.Parse(listed.Metadata.ResourceVersion!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Watch_AsksForBookmarks_AndABookmarkCarriesTheNewResourceVersion()
    {
        await using var bed = await KubernetesTestBed.StartAsync().WithTimeout();
        var client = bed.Client();
        var listed = await client.ListAsync(Classes, null, null, CancellationToken.None).WithTimeout();
        await client.CreateAsync(Classes, KubernetesApiClientTests.Class("a"), CancellationToken.None).WithTimeout();
        await using var watch = client.WatchAsync(Classes, null, new KubernetesWatchOptions { ResourceVersion = listed.Metadata!.ResourceVersion }, CancellationToken.None).GetAsyncEnumerator();
        Assert.True(await watch.MoveNextAsync().AsTask().WithTimeout());

        // A change the watch does not see moves the store on; the bookmark says so.
        var node = await client.CreateAsync(KubernetesResources.Nodes, new KubernetesNode { Metadata = new ObjectMeta { Name = "n" } }, CancellationToken.None).WithTimeout();
        bed.Api.SendBookmarks();

        Assert.True(await watch.MoveNextAsync().AsTask().WithTimeout());
        Assert.Equal(WatchEventType.Bookmark, watch.Current.Type);
        Assert.Equal(node.Metadata!.ResourceVersion, watch.Current.ResourceVersion);
        Assert.Contains(bed.Api.Requests, r => r.StartsWith("GET /apis/storage.k8s.io/v1/storageclasses?watch=true&resourceVersion=", StringComparison.Ordinal) && r.Contains("&allowWatchBookmarks=true&timeoutSeconds=300", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Watch_FromACompactedResourceVersion_ThrowsGone()
    {
        await using var bed = await KubernetesTestBed.StartAsync().WithTimeout();
        var client = bed.Client();
        var listed = await client.ListAsync(Classes, null, null, CancellationToken.None).WithTimeout();
        await client.CreateAsync(Classes, KubernetesApiClientTests.Class("a"), CancellationToken.None).WithTimeout();
        bed.Api.CompactHistory();

        var e = await Assert.ThrowsAsync<CloudRequestException>(() => Take(client.WatchAsync(Classes, null, new KubernetesWatchOptions { ResourceVersion = listed.Metadata!.ResourceVersion }, CancellationToken.None), 1).WithTimeout()).WithTimeout();

        Assert.True(e.IsGone());
        Assert.Equal(410, e.Status);
        Assert.Equal("Expired", e.ErrorCode);
        Assert.Contains("too old resource version", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_EndsQuietly_WhenTheServerEndsTheStreamAtItsTimeout()
    {
        var serverClock = new ManualTimeProvider();
        await using var bed = await KubernetesTestBed.StartAsync(new KubernetesApiOptions { TimeProvider = serverClock }).WithTimeout();
        var client = bed.Client();
        var listed = await client.ListAsync(Classes, null, null, CancellationToken.None).WithTimeout();
        await client.CreateAsync(Classes, KubernetesApiClientTests.Class("a"), CancellationToken.None).WithTimeout();
        await using var watch = client.WatchAsync(Classes, null, new KubernetesWatchOptions { ResourceVersion = listed.Metadata!.ResourceVersion, Timeout = TimeSpan.FromSeconds(10) }, CancellationToken.None).GetAsyncEnumerator();
        Assert.True(await watch.MoveNextAsync().AsTask().WithTimeout());

        serverClock.Advance(TimeSpan.FromSeconds(10));

        Assert.False(await watch.MoveNextAsync().AsTask().WithTimeout());
        Assert.Contains(bed.Api.Requests, r => r.Contains("timeoutSeconds=10", StringComparison.Ordinal));
    }

    private static async Task<List<WatchEvent<StorageClass>>> Take(IAsyncEnumerable<WatchEvent<StorageClass>> events, int count)
    {
        var taken = new List<WatchEvent<StorageClass>>();
        await foreach (var change in events)
        {
            taken.Add(change);
            if (taken.Count == count)
            {
                break;
            }
        }

        return taken;
    }
}
