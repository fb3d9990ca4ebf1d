using System.Globalization;
using Simulators.VCloud;
using VolumeDriver.Backends.VCloud;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.Tests.TestSupport;
using static VolumeDriver.Tests.Backends.VCloud.VCloudHarness;

namespace VolumeDriver.Tests.Backends.VCloud;

/// <summary>
/// The backend against what the fidelity review made the double do: query results in pages of at
/// most the server's size, tasks that end aborted or canceled or in an error with its codes, and
/// options checked before any request.
/// </summary>
public sealed class VCloudDiskBackendFidelityTests
{
    private const string QueryTemplate = "GET /api/query";

    [Theory]
    [InlineData(128, 3)]
    [InlineData(25, 12)]
    public async Task AVdcWith300Disks_ListReadsEveryPage_AndAsksOnlyTheAttachedDiskForItsVm(int serverMaxPageSize, int pages)
    {
        await using var harness = await StartAsync(new VCloudSimulatorOptions { QueryMaxPageSize = serverMaxPageSize }).WithTimeout();
        for (var i = 0; i < 300; i++)
        {
            harness.Simulator.SeedDisk(string.Create(CultureInfo.InvariantCulture, $"pv-{i:000}"), 64);
        }

        await harness.NewBackend().AttachAsync(Request("pv-299"), OnNode("node-2"), CancellationToken.None).WithTimeout();
        harness.Simulator.Requests.Reset();

        var volumes = await harness.NewBackend().ListAsync(CancellationToken.None).WithTimeout();

        Assert.Equal(300, volumes.Count);
        Assert.Equal("pv-299", volumes[^1].Name.Value);
        Assert.Equal("node-2", volumes[^1].AttachedNode?.Value);
        Assert.All(volumes.SkipLast(1), v => Assert.Null(v.AttachedNode));
        Assert.Equal(pages, harness.Count(QueryTemplate));
        Assert.Equal(1, harness.Count("GET /api/disk/{id}/attachedVms"));
    }

    [Fact]
    public async Task TwoDisksWithOneName_OnDifferentPages_AreStillAFailure_NeverAGuess()
    {
        // A provider that serves one record a page: the second disk of the name is on page 2 only.
        await using var harness = await StartAsync(new VCloudSimulatorOptions { QueryMaxPageSize = 1 }).WithTimeout();
        harness.Simulator.SeedDisk("pv-dup", 64);
        harness.Simulator.SeedDisk("pv-dup", 64);

        var e = await Assert.ThrowsAsync<DiskOperationException>(() => harness.NewBackend().AttachAsync(Request("pv-dup"), OnNode("node-1"), CancellationToken.None)).WithTimeout();

        Assert.Contains("2 disks named 'pv-dup'", e.Message, StringComparison.Ordinal);
        Assert.All(harness.Simulator.Disks(), d => Assert.Empty(d.AttachedVms));
        Assert.Equal(2, harness.Count(QueryTemplate));
    }

    [Fact]
    public async Task TaskError_NamesVcdsMessageAndMinorCode()
    {
        await using var harness = await StartAsync().WithTimeout();
        harness.Simulator.SeedDisk("pv-err", 64);
        harness.Simulator.FailNextTasks("vmAttachDisks", 1, "DISK_ATTACH_FAILED", "[ 9f1e ] Cannot attach disk pv-err: the datastore is not reachable from the host.");

        var e = await Assert.ThrowsAsync<VCloudTaskFailedException>(() => harness.NewBackend().AttachAsync(Request("pv-err"), OnNode("node-1"), CancellationToken.None)).WithTimeout();

        Assert.Contains("ended error: [ 9f1e ] Cannot attach disk pv-err: the datastore is not reachable from the host. (DISK_ATTACH_FAILED)", e.Message, StringComparison.Ordinal);
        Assert.Empty(Assert.Single(harness.Simulator.Disks()).AttachedVms);
    }

    [Theory]
    [InlineData("aborted")]
    [InlineData("canceled")]
    public async Task AbortedOrCanceledTask_IsAFailureSayingSo_AndTheRetryConverges(string status)
    {
        await using var harness = await StartAsync().WithTimeout();
        harness.Simulator.SeedDisk("pv-end", 64);
        harness.Simulator.EndNextTasksAs("vmAttachDisks", 1, status);

        var e = await Assert.ThrowsAsync<VCloudTaskFailedException>(() => harness.NewBackend().AttachAsync(Request("pv-end"), OnNode("node-1"), CancellationToken.None)).WithTimeout();

        Assert.Contains($"ended {status} without doing its work", e.Message, StringComparison.Ordinal);
        Assert.Equal(status, e.Task.Status);
        Assert.Empty(Assert.Single(harness.Simulator.Disks()).AttachedVms);
        await harness.NewBackend().AttachAsync(Request("pv-end"), OnNode("node-1"), CancellationToken.None).WithTimeout();
        Assert.Equal(["node-1"], Assert.Single(harness.Simulator.Disks()).AttachedVms);
    }

    [Fact]
    public async Task CreateTaskAborted_IsAFailure_AndNoDiskIsAttached()
    {
        await using var harness = await StartAsync().WithTimeout();
        harness.Simulator.EndNextTasksAs("vdcCreateDisk", 1, "aborted");

        var e = await Assert.ThrowsAsync<VCloudTaskFailedException>(() => harness.NewBackend().AttachAsync(Request("pv-new"), OnNode("node-1"), CancellationToken.None)).WithTimeout();

        Assert.Contains("ended aborted", e.Message, StringComparison.Ordinal);
        Assert.All(harness.Simulator.Disks(), d => Assert.Empty(d.AttachedVms));
        Assert.Equal(0, harness.Count("POST /api/vApp/vm-{id}/disk/action/attach"));
    }

    [Theory]
    [InlineData("busType", "7")]
    [InlineData("busSubType", "lsilogic")]
    [InlineData("volumeName", "data;drop")]
    [InlineData("storage", "gold\u0007")]
    public async Task BadOption_FailsNamingItsKey_BeforeAnyRequestToVcd(string key, string value)
    {
        await using var harness = await StartAsync().WithTimeout();
        harness.Simulator.SeedDisk("pv-opt", 64);
        var options = new Dictionary<string, string> { [key] = value };
        if (key == "busSubType")
        {
            options["busType"] = "20";
        }

        var backend = harness.NewBackend();
        var attach = await Assert.ThrowsAsync<InvalidOptionException>(() => backend.AttachAsync(Request("pv-opt", "1Gi", options), OnNode("node-1"), CancellationToken.None)).WithTimeout();
        var isAttached = await Assert.ThrowsAsync<InvalidOptionException>(() => backend.IsAttachedAsync(Request("pv-opt", "1Gi", options), OnNode("node-1"), CancellationToken.None)).WithTimeout();
        var provision = await Assert.ThrowsAsync<InvalidOptionException>(() => backend.ProvisionAsync(Request("pv-opt", "1Gi", options), CancellationToken.None)).WithTimeout();
        var resize = await Assert.ThrowsAsync<InvalidOptionException>(() => backend.ResizeAsync(Request("pv-opt", "1Gi", options), new ByteSize(2L << 30), CancellationToken.None)).WithTimeout();

        Assert.All(new[] { attach, isAttached, provision, resize }, e => Assert.Equal(key, e.Key));
        Assert.Equal(0, harness.Simulator.Requests.Total);
    }
}
