using System.Net;
using Simulators.VCloud;
using VolumeDriver.Backends.VCloud;
using VolumeDriver.CloudCalls;
using VolumeDriver.Errors;
using VolumeDriver.Tests.Node;
using VolumeDriver.Tests.TestSupport;
using static VolumeDriver.Tests.Backends.VCloud.VCloudHarness;

namespace VolumeDriver.Tests.Backends.VCloud;

/// <summary>The vCloud backend against the vCD double: the cloud-side verbs, their request counts and their failures.</summary>
public sealed class VCloudDiskBackendTests : IAsyncLifetime
{
    private VCloudHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await StartAsync().WithTimeout();

    public async Task DisposeAsync()
    {
        Assert.Equal(0, _harness.Simulator.MultipleAuthHeaderRequests);
        await _harness.DisposeAsync().WithTimeout();
    }

    [Fact]
    public async Task Attach_CreatesTheDiskOnFirstUse_AndReturnsItsWwnPath()
    {
        var backend = _harness.NewBackend();

        var result = await backend.AttachAsync(Request("pv-a", "2Gi"), OnNode("node-1"), CancellationToken.None).WithTimeout();

        var disk = Assert.Single(_harness.Simulator.Disks());
        Assert.Equal("pv-a", disk.Name);
        Assert.Equal(2048, disk.SizeMb);
        Assert.Equal("T1", disk.StorageProfile);
        Assert.Equal(("6", "VirtualSCSI"), (disk.BusType, disk.BusSubType));
        Assert.Equal(["node-1"], disk.AttachedVms);
        Assert.Equal("/dev/disk/by-id/wwn-0x" + disk.Uuid.Replace("-", string.Empty, StringComparison.Ordinal), result.DevicePath);
        Assert.True(await backend.IsAttachedAsync(Request("pv-a"), OnNode("node-1"), CancellationToken.None).WithTimeout());
        Assert.False(await backend.IsAttachedAsync(Request("pv-a"), OnNode("node-2"), CancellationToken.None).WithTimeout());
    }

    [Fact]
    public async Task AttachTwice_IsIdempotent_AndDetachTwice_Too()
    {
        var backend = _harness.NewBackend();
        var first = await backend.AttachAsync(Request("pv-b"), OnNode("node-1"), CancellationToken.None).WithTimeout();

        var second = await _harness.NewBackend().AttachAsync(Request("pv-b"), OnNode("node-1"), CancellationToken.None).WithTimeout();
        await _harness.NewBackend().DetachAsync(Volume("pv-b"), OnNode("node-1"), CancellationToken.None).WithTimeout();
        await _harness.NewBackend().DetachAsync(Volume("pv-b"), OnNode("node-1"), CancellationToken.None).WithTimeout();

        Assert.Equal(first, second);
        Assert.Empty(Assert.Single(_harness.Simulator.Disks()).AttachedVms);
        Assert.Empty(Assert.Single(_harness.Simulator.Disks()).HeldByVms);
    }

    [Fact]
    public async Task WarmSession_IsAttachedTakesTwoRequests_AttachOfAnExistingDiskFivePlusTaskPolls()
    {
        _harness.Simulator.SeedDisk("pv-c", 1024);
        await _harness.NewBackend().IsAttachedAsync(Request("pv-c"), OnNode("node-1"), CancellationToken.None).WithTimeout();
        _harness.Simulator.Requests.Reset();

        await _harness.NewBackend().IsAttachedAsync(Request("pv-c"), OnNode("node-1"), CancellationToken.None).WithTimeout();
        var isAttached = _harness.Simulator.Requests.Total;
        _harness.Simulator.Requests.Reset();
        await _harness.NewBackend().AttachAsync(Request("pv-c"), OnNode("node-1"), CancellationToken.None).WithTimeout();
        var counts = _harness.Simulator.Requests.Snapshot();

        Assert.True(isAttached <= 2, $"isattached made {isAttached} requests");
        var polls = counts.GetValueOrDefault("GET /api/task/{id}");
        Assert.True(counts.Values.Sum() - polls <= 6, "attach made " + string.Join(", ", counts.Select(p => $"{p.Key}={p.Value}")));
        Assert.DoesNotContain(counts.Keys, k => k.Contains("session", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SessionToken_IsReusedByTheNextInvocation_AndCachedInARootOnlyFile()
    {
        await _harness.NewBackend().IsAttachedAsync(Request("pv-d"), OnNode("node-1"), CancellationToken.None).WithTimeout();
        await _harness.NewBackend().IsAttachedAsync(Request("pv-d"), OnNode("node-1"), CancellationToken.None).WithTimeout();
        await _harness.NewBackend().IsAttachedAsync(Request("pv-d"), OnNode("node-1"), CancellationToken.None).WithTimeout();

        Assert.Equal(1, _harness.Count("POST /cloudapi/1.0.0/sessions"));
        var file = Assert.Single(Directory.GetFiles(_harness.StateDirectory, "session-*.json"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_harness.StateDirectory));
    }

    [Fact]
    public async Task ExpiredToken_LogsInAgainOnce()
    {
        await _harness.NewBackend().IsAttachedAsync(Request("pv-e"), OnNode("node-1"), CancellationToken.None).WithTimeout();
        _harness.Simulator.ExpireAllTokens();

        await _harness.NewBackend().AttachAsync(Request("pv-e"), OnNode("node-1"), CancellationToken.None).WithTimeout();

        Assert.Equal(2, _harness.Count("POST /cloudapi/1.0.0/sessions"));
        Assert.Equal(["node-1"], Assert.Single(_harness.Simulator.Disks()).AttachedVms);
    }

    [Fact]
    public async Task WrongPassword_IsAClearFailure_WithoutThePassword()
    {
        var configuration = _harness.Configuration() with { Password = new VolumeDriver.Domain.Secret("wrong-one") };

        var e = await Assert.ThrowsAsync<CloudRequestException>(() => _harness.NewBackend(configuration).IsAttachedAsync(Request("pv-f"), OnNode("node-1"), CancellationToken.None)).WithTimeout();

        Assert.Contains("refused the login of 'k8s@acme'", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-one", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PythonDriversApiVersion_UsesTheLegacyLogin_SizeInBytes_AndStillReadsTheUuid()
    {
        var backend = _harness.NewBackend(_harness.Configuration("27.0"));

        var result = await backend.AttachAsync(Request("pv-g", "1Gi"), OnNode("node-1"), CancellationToken.None).WithTimeout();

        Assert.Equal(1, _harness.Count("POST /api/sessions"));
        Assert.Equal(0, _harness.Count("POST /cloudapi/1.0.0/sessions"));
        var disk = Assert.Single(_harness.Simulator.Disks());
        Assert.Equal(1024, disk.SizeMb);
        Assert.EndsWith(disk.Uuid.Replace("-", string.Empty, StringComparison.Ordinal), result.DevicePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerWithoutApi36_AttachGivesNoDevice_AndTheLayoutMarksTheDiskInItsSlot()
    {
        await using var old = await StartAsync(new VCloudSimulatorOptions { Versions = ["27.0", "32.0", "35.0"] }).WithTimeout();
        var backend = old.NewBackend(old.Configuration("32.0"));
        await backend.AttachAsync(Request("pv-o1", "1Gi"), OnNode("node-1"), CancellationToken.None).WithTimeout();

        var result = await backend.AttachAsync(Request("pv-o2", "2Gi"), OnNode("node-1"), CancellationToken.None).WithTimeout();
        var layout = await backend.ReadLayoutAsync("pv-o2", OnNode("node-1"), CancellationToken.None).WithTimeout();

        Assert.Equal(string.Empty, result.DevicePath);
        Assert.Null(layout.VolumeWwn);
        Assert.Equal("node-1", layout.VmName);
        Assert.Equal(
            [(0, 0, 16384L, false), (1, 0, 1024L, false), (1, 1, 2048L, true)],
            layout.Disks.Select(d => (d.Controller.BusNumber, d.Unit, d.CapacityBytes / (1024 * 1024), d.IsVolume)).Order().ToList());
        Assert.All(layout.Disks, d => Assert.Equal((6, "VirtualSCSI"), (d.Controller.ResourceType, d.Controller.SubType)));
        Assert.IsType<VolumeDriver.Domain.VCloudSlotIdentity>(backend.IdentityFor(Request("pv-o2"), null));
    }

    [Fact]
    public async Task ServerWithApi36_TheLayoutCarriesTheWwn()
    {
        var backend = _harness.NewBackend();
        var result = await backend.AttachAsync(Request("pv-n1", "1Gi"), OnNode("node-1"), CancellationToken.None).WithTimeout();

        var layout = await backend.ReadLayoutAsync("pv-n1", OnNode("node-1"), CancellationToken.None).WithTimeout();

        Assert.EndsWith(layout.VolumeWwn!, result.DevicePath, StringComparison.Ordinal);
        Assert.IsType<VolumeDriver.Domain.VCloudDiskIdentity>(backend.IdentityFor(Request("pv-n1"), result.DevicePath));
    }

    [Fact]
    public async Task BusyEntity_IsRetriedWithBackoff()
    {
        _harness.Simulator.SeedDisk("pv-h", 1024);
        _harness.Simulator.FailNext("POST", "/disk/action/attach$", 2, HttpStatusCode.BadRequest, "BUSY_ENTITY", "The entity node-1 is busy completing an operation.");

        // The driver's own backoff (VCloudClientOptions.DefaultBusyRetry: 1 s, then 2 s, each ±20 %),
        // waited on the harness's clock.
        await _harness.NewBackend().AttachAsync(Request("pv-h"), OnNode("node-1"), CancellationToken.None).WithTimeout();

        Assert.True(_harness.Clock.Elapsed >= TimeSpan.FromSeconds(0.8 + 1.6), $"the two retries waited {_harness.Clock.Elapsed} in all");
        Assert.Equal(3, _harness.Count("POST /api/vApp/vm-{id}/disk/action/attach"));
        Assert.Equal(2, _harness.Logs.Lines.Count(l => l.Contains("the entity is busy with another task; retrying in", StringComparison.Ordinal)));
        Assert.Equal(["node-1"], Assert.Single(_harness.Simulator.Disks()).AttachedVms);
    }

    [Fact]
    public async Task TaskError_IsAFailureWithVcdsMessage_AndTheDiskIsNotAttached()
    {
        _harness.Simulator.SeedDisk("pv-i", 1024);
        _harness.Simulator.FailNextTasks("vmAttachDisks", 1);

        var e = await Assert.ThrowsAsync<VCloudTaskFailedException>(() => _harness.NewBackend().AttachAsync(Request("pv-i"), OnNode("node-1"), CancellationToken.None)).WithTimeout();

        Assert.Contains("Unable to perform this action", e.Message, StringComparison.Ordinal);
        Assert.Empty(Assert.Single(_harness.Simulator.Disks()).AttachedVms);
        await _harness.NewBackend().AttachAsync(Request("pv-i"), OnNode("node-1"), CancellationToken.None).WithTimeout();
        Assert.Equal(["node-1"], Assert.Single(_harness.Simulator.Disks()).AttachedVms);
    }

    [Fact]
    public async Task TaskPastTheDeadline_FailsClearly_AndTheRetryConverges()
    {
        _harness.Simulator.SeedDisk("pv-j", 1024);
        _harness.Simulator.SetTaskDurations(TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(3));
        var impatient = _harness.Configuration() with { TaskTimeout = TimeSpan.FromMilliseconds(500) };

        var e = await Assert.ThrowsAsync<DeadlineExceededException>(() => _harness.NewBackend(impatient).AttachAsync(Request("pv-j"), OnNode("node-1"), CancellationToken.None)).WithTimeout();

        // Nothing polls the task any more, so the test lets the clock run past its 3 s.
        _harness.Clock.Advance(TimeSpan.FromSeconds(10));
        await _harness.Simulator.WaitForIdleAsync(TimeSpan.FromSeconds(10)).WithTimeout();
        _harness.Simulator.SetTaskDurations(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50));
        await _harness.NewBackend().AttachAsync(Request("pv-j"), OnNode("node-1"), CancellationToken.None).WithTimeout();

        Assert.Contains("still", e.Message, StringComparison.Ordinal);
        Assert.Equal(["node-1"], Assert.Single(_harness.Simulator.Disks()).AttachedVms);
        Assert.Equal(1, _harness.Count("POST /api/vApp/vm-{id}/disk/action/attach"));
    }

    [Fact]
    public async Task DrainRace_AttachWaits_ThenFailsNamingTheOtherVm()
    {
        _harness.Simulator.SeedDisk("pv-k", 1024);
        await _harness.Simulator.SeedAttachmentAsync("pv-k", "node-2").WithTimeout();
        var clock = new ManualTimeProvider();
        var before = _harness.Count("GET /api/disk/{id}/attachedVms");

        // The drain wait (2 s in the harness's configuration) runs on the driver's clock: its one poll
        // is let through by moving the clock, and the attach then fails without waiting in real time.
        var attach = _harness.NewBackend(time: clock).AttachAsync(Request("pv-k"), OnNode("node-1"), CancellationToken.None);
        await clock.WaitForTimerAsync(DrainWait.DefaultPoll).WithTimeout();
        clock.Advance(DrainWait.DefaultPoll);
        var e = await Assert.ThrowsAsync<DiskOperationException>(() => attach).WithTimeout();

        Assert.Equal(2, _harness.Count("GET /api/disk/{id}/attachedVms") - before);
        Assert.Contains("VM 'node-2'", e.Message, StringComparison.Ordinal);
        Assert.Contains("powered on", e.Message, StringComparison.Ordinal);
        Assert.Equal(["node-2"], Assert.Single(_harness.Simulator.Disks()).AttachedVms);
    }

    [Fact]
    public async Task DrainRace_OldNodeDetachesMeanwhile_AttachSucceeds()
    {
        _harness.Simulator.SeedDisk("pv-l", 1024);
        await _harness.Simulator.SeedAttachmentAsync("pv-l", "node-2").WithTimeout();
        _harness.Simulator.SetTaskDurations(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(800));
        var patient = _harness.Configuration() with { DrainWait = TimeSpan.FromSeconds(20) };

        // The clock stands still until the new node's attach waits for its first drain poll and the
        // old node's detach for its first task poll; from then on both, and the double's detach task,
        // run on it without waiting in real time.
        _harness.Clock.Pause();
        var attach = _harness.NewBackend(patient).AttachAsync(Request("pv-l"), OnNode("node-1"), CancellationToken.None);
        await _harness.Clock.WaitForTimerAsync(DrainWait.DefaultPoll).WithTimeout();
        var detach = _harness.NewBackend().DetachAsync(Volume("pv-l"), OnNode("node-2"), CancellationToken.None);
        await _harness.Clock.WaitForTimerAsync(VCloudClientOptions.DefaultFirstTaskPoll).WithTimeout();
        _harness.Clock.Resume();
        await detach.WithTimeout();
        await attach.WithTimeout();

        var disk = Assert.Single(_harness.Simulator.Disks());
        Assert.Equal(["node-1"], disk.AttachedVms);
        Assert.Equal(["node-1"], disk.HeldByVms);
        Assert.Contains(_harness.Logs.Lines, l => l.Contains("waiting up to 20 s for it to be released", StringComparison.Ordinal));
        Assert.True(_harness.Clock.Elapsed < patient.DrainWait, $"the attach waited {_harness.Clock.Elapsed} of the drain wait's {patient.DrainWait}");
    }

    [Fact]
    public async Task PoweredOffHolder_IsDetachedOnlyWithThePolicy()
    {
        _harness.Simulator.SeedDisk("pv-m", 1024);
        await _harness.Simulator.SeedAttachmentAsync("pv-m", "node-2").WithTimeout();
        _harness.Simulator.SetPower("node-2", poweredOn: false);

        var refused = await Assert.ThrowsAsync<DiskOperationException>(() => _harness.NewBackend().AttachAsync(Request("pv-m"), OnNode("node-1"), CancellationToken.None)).WithTimeout();
        await _harness.NewBackend(_harness.Configuration() with { DetachFromPoweredOffVms = true }).AttachAsync(Request("pv-m"), OnNode("node-1"), CancellationToken.None).WithTimeout();

        Assert.Contains("detach_powered_off", refused.Message, StringComparison.Ordinal);
        Assert.Equal(["node-1"], Assert.Single(_harness.Simulator.Disks()).AttachedVms);
        Assert.Contains(_harness.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("powered-off VM node-2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TwoDisksWithOneName_AreAFailure_NeverAGuess()
    {
        _harness.Simulator.SeedDisk("pv-n", 1024);
        _harness.Simulator.SeedDisk("pv-n", 2048);

        var e = await Assert.ThrowsAsync<DiskOperationException>(() => _harness.NewBackend().AttachAsync(Request("pv-n"), OnNode("node-1"), CancellationToken.None)).WithTimeout();

        Assert.Contains("2 disks named 'pv-n'", e.Message, StringComparison.Ordinal);
        Assert.All(_harness.Simulator.Disks(), d => Assert.Empty(d.AttachedVms));
    }

    [Fact]
    public async Task VolumeNameOption_NamesTheDisk_AndDetachByPvNameFindsIt()
    {
        var options = new Dictionary<string, string> { ["volumeName"] = "testdisk", ["storage"] = "fast", ["busType"] = "6", ["busSubType"] = "lsilogicsas" };

        await _harness.NewBackend().AttachAsync(Request("pv-o", "1Gi", options), OnNode("node-1"), CancellationToken.None).WithTimeout();
        await _harness.NewBackend().DetachAsync(Volume("pv-o"), OnNode("node-1"), CancellationToken.None).WithTimeout();

        var disk = Assert.Single(_harness.Simulator.Disks());
        Assert.Equal(("testdisk", "fast", "lsilogicsas"), (disk.Name, disk.StorageProfile, disk.BusSubType));
        Assert.Empty(disk.AttachedVms);
    }

    [Fact]
    public async Task UnknownStorageProfile_NamesTheOptionAndTheProfilesThereAre()
    {
        var e = await Assert.ThrowsAsync<InvalidOptionException>(() => _harness.NewBackend().AttachAsync(Request("pv-p", "1Gi", new Dictionary<string, string> { ["storage"] = "gold" }), OnNode("node-1"), CancellationToken.None)).WithTimeout();

        Assert.Equal("storage", e.Key);
        Assert.Contains("T1, fast", e.Message, StringComparison.Ordinal);
        Assert.Empty(_harness.Simulator.Disks());
    }

    [Fact]
    public async Task MissingDiskWithoutSize_AsksForTheSizeOption()
    {
        var e = await Assert.ThrowsAsync<InvalidOptionException>(() => _harness.NewBackend().AttachAsync(Request("pv-q", size: null), OnNode("node-1"), CancellationToken.None)).WithTimeout();

        Assert.Equal("size", e.Key);
    }

    [Fact]
    public async Task DetachOfAMissingDisk_OrOfADiskAttachedElsewhere_IsSuccess()
    {
        _harness.Simulator.SeedDisk("pv-r", 1024);
        await _harness.Simulator.SeedAttachmentAsync("pv-r", "node-2").WithTimeout();

        await _harness.NewBackend().DetachAsync(Volume("pv-gone"), OnNode("node-1"), CancellationToken.None).WithTimeout();
        await _harness.NewBackend().DetachAsync(Volume("pv-r"), OnNode("node-1"), CancellationToken.None).WithTimeout();

        Assert.Equal(["node-2"], Assert.Single(_harness.Simulator.Disks()).AttachedVms);
    }

    [Fact]
    public async Task VmAnswering403DuringDetach_MeansItIsGone_AndDetachSucceeds()
    {
        await _harness.NewBackend().AttachAsync(Request("pv-x"), OnNode("node-1"), CancellationToken.None).WithTimeout();
        _harness.Simulator.FailNext("GET", "^/api/vApp/vm-", 1, HttpStatusCode.Forbidden, "ACCESS_TO_RESOURCE_IS_FORBIDDEN", "Either you need some or all of the following rights or the entity does not exist.");

        await _harness.NewBackend().DetachAsync(Volume("pv-x"), OnNode("node-1"), CancellationToken.None).WithTimeout();

        Assert.Contains(_harness.Logs.Lines, l => l.Contains("the VM or disk is gone", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ServerNeverAnswers_IsAFailureNamingTheRequestsDeadline_NotACancellation()
    {
        // The double holds every request for an hour of the harness's clock, which stands still; the
        // driver's clock is the test's, moved to the request deadline once the request is on its way.
        _harness.Clock.Pause();
        _harness.Simulator.SetLatency(TimeSpan.FromHours(1));
        var time = new ManualTimeProvider();
        using var clock = new SignalingTimeProvider(time);
        var isAttached = _harness.NewBackend(time: clock).IsAttachedAsync(Request("pv-h"), OnNode("node-1"), CancellationToken.None);
        await Task.WhenAny(isAttached, clock.WaitForTimerAsync(CancellationToken.None)).WithTimeout();

        time.Advance(VCloudHttpClientFactory.RequestTimeout - TimeSpan.FromSeconds(1));
        Assert.False(isAttached.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        var e = await Assert.ThrowsAsync<DeadlineExceededException>(() => isAttached.WithTimeout()).WithTimeout();
        Assert.StartsWith("the vCloud request GET /api/versions did not finish within 60 s; vCloud Director at https://127.0.0.1:", e.Message, StringComparison.Ordinal);
        Assert.Contains("did not answer", e.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(60), e.Budget);
        Assert.Contains(_harness.Logs.Lines, l => l.StartsWith("Warning vCloud GET /api/versions failed after 60000 ms", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ServerError_IsAFailureNamingTheRequest()
    {
        _harness.Simulator.FailNext("GET", "^/api/query$", 1, HttpStatusCode.InternalServerError, "INTERNAL_SERVER_ERROR", "Database unavailable.");

        var e = await Assert.ThrowsAsync<CloudRequestException>(() => _harness.NewBackend().IsAttachedAsync(Request("pv-s"), OnNode("node-1"), CancellationToken.None)).WithTimeout();

        Assert.Contains("500 INTERNAL_SERVER_ERROR to GET /api/query: Database unavailable.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_RefusesAnAttachedDisk_AndDeletesADetachedOne()
    {
        await _harness.NewBackend().AttachAsync(Request("pv-t"), OnNode("node-1"), CancellationToken.None).WithTimeout();

        await Assert.ThrowsAsync<UnsafeOperationException>(() => _harness.NewBackend().DeleteAsync(Volume("pv-t"), CancellationToken.None)).WithTimeout();
        await _harness.NewBackend().DetachAsync(Volume("pv-t"), OnNode("node-1"), CancellationToken.None).WithTimeout();
        await _harness.NewBackend().DeleteAsync(Volume("pv-t"), CancellationToken.None).WithTimeout();
        await _harness.NewBackend().DeleteAsync(Volume("pv-t"), CancellationToken.None).WithTimeout();

        Assert.Empty(_harness.Simulator.Disks());
    }

    [Fact]
    public async Task Resize_GrowsADetachedDisk_RefusesAnAttachedOneAndAShrink()
    {
        _harness.Simulator.SeedDisk("pv-u", 1024);
        var backend = _harness.NewBackend();

        var grown = await backend.ResizeAsync(Request("pv-u"), new VolumeDriver.Domain.ByteSize(3L << 30), CancellationToken.None).WithTimeout();
        await Assert.ThrowsAsync<UnsafeOperationException>(() => backend.ResizeAsync(Request("pv-u"), new VolumeDriver.Domain.ByteSize(1L << 30), CancellationToken.None)).WithTimeout();
        await backend.AttachAsync(Request("pv-u"), OnNode("node-1"), CancellationToken.None).WithTimeout();
        var attached = await Assert.ThrowsAsync<DiskOperationException>(() => backend.ResizeAsync(Request("pv-u"), new VolumeDriver.Domain.ByteSize(4L << 30), CancellationToken.None)).WithTimeout();

        Assert.Equal(3L << 30, grown.Bytes);
        Assert.Equal(3072, Assert.Single(_harness.Simulator.Disks()).SizeMb);
        Assert.Contains("only while they are detached", attached.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_ShowsEveryDiskWithItsNode()
    {
        _harness.Simulator.SeedDisk("pv-w", 1024, "fast");
        await _harness.NewBackend().AttachAsync(Request("pv-v"), OnNode("node-1"), CancellationToken.None).WithTimeout();

        var list = await _harness.NewBackend().ListAsync(CancellationToken.None).WithTimeout();

        Assert.Equal(["pv-v", "pv-w"], list.Select(v => v.Name.Value));
        Assert.Equal("node-1", list[0].AttachedNode?.Value);
        Assert.Null(list[1].AttachedNode);
        Assert.Equal("fast", list[1].Sku);
    }
}
