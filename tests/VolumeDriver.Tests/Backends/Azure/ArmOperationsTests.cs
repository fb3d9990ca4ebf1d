using System.Diagnostics.CodeAnalysis;
using Azure;
using Azure.Core;
using Azure.ResourceManager.Compute;
using Azure.ResourceManager.Compute.Models;
using Azure.ResourceManager.Resources;
using Simulators.Arm;
using VolumeDriver.Backends.Azure;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Backends.Azure;

/// <summary>
/// The wait for ARM long-running operations on the injected clock, against the ARM double: it polls
/// as Azure.Core's poller does (at once, then 1, 1, 1, 2, 4, 8, 16 and 32 s apart, or longer when the
/// poll's answer asks for longer), ends with the same result or the same exception as the SDK's own
/// wait, and stops when cancelled.
/// </summary>
public sealed class ArmOperationsTests : IAsyncLifetime
{
    private AzureStackTestBed? _bed;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_bed is not null)
        {
            await _bed.DisposeAsync().WithTimeout();
        }
    }

    /// <summary>Azure.Core's fallback between the polls of a management operation (SequentialDelayStrategy): 1, 1, 1, 2, 4, 8, 16, then 32 s.</summary>
    internal static List<TimeSpan> FallbackWaits(int count) =>
        Enumerable.Range(1, count).Select(poll => TimeSpan.FromSeconds(poll switch { <= 3 => 1, >= 8 => 32, _ => 1 << (poll - 3) })).ToList();

    [Theory]
    [InlineData(1, "", 1.0)]
    [InlineData(3, "", 1.0)]
    [InlineData(4, "", 2.0)]
    [InlineData(7, "", 16.0)]
    [InlineData(8, "", 32.0)]
    [InlineData(50, "", 32.0)]
    [InlineData(1, "Retry-After=5", 5.0)]
    [InlineData(7, "Retry-After=5", 16.0)]
    [InlineData(9, "Retry-After=120", 120.0)]
    [InlineData(1, "Retry-After=0", 1.0)]
    [InlineData(1, "retry-after-ms=1500", 1.5)]
    [InlineData(1, "x-ms-retry-after-ms=2500", 2.5)]
    [InlineData(1, "retry-after-ms=3000|Retry-After=9", 3.0)]
    [InlineData(2, "Retry-After=Sun, 22 Nov 2026 08:00:10 GMT", 10.0)]
    public void PollDelay_IsTheLongerOfAzureCoresSequenceAndWhatThePollAsks(int poll, string headers, double seconds)
    {
        // The server's delay is a floor, never a cap and never a replacement (DelayStrategy.GetNextDelay);
        // an HTTP date counts from the injected clock's now.
        var now = new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);
        var response = new StubResponse(headers.Split('|', StringSplitOptions.RemoveEmptyEntries).Select(h => h.Split('=', 2)).ToDictionary(h => h[0], h => h[1], StringComparer.OrdinalIgnoreCase));

        Assert.Equal(TimeSpan.FromSeconds(seconds), ArmOperations.PollDelay(response, poll, now));
    }

    [Fact]
    public async Task AnOperation_IsPolledAtOnceThenOnAzureCoresSequence_OnTheInjectedClock_AndEndsWithItsResource()
    {
        var bed = await BedAsync(retryAfterSeconds: 0).WithTimeout();
        var clock = new SkipAheadTimeProvider();

        var operation = await Disks(bed, clock).CreateOrUpdateAsync(WaitUntil.Started, "lro-a", NewDisk(4)).WithTimeout();
        var disk = await ArmOperations.WaitForCompletionAsync(operation, clock, CancellationToken.None).WithTimeout();

        var polls = Polls(bed);
        Assert.True(polls >= 1, "the operation was never polled");
        Assert.Equal(FallbackWaits(polls - 1), clock.Waits);
        Assert.Equal(("lro-a", 4), (disk.Data.Name, disk.Data.DiskSizeGB));
        Assert.Equal(4, bed.Arm.Disks().Single().SizeGb);
    }

    [Fact]
    public async Task APollsRetryAfter_IsWaitedWhenLongerThanTheSequence()
    {
        var bed = await BedAsync(retryAfterSeconds: 5).WithTimeout();
        var clock = new SkipAheadTimeProvider();

        var operation = await Disks(bed, clock).CreateOrUpdateAsync(WaitUntil.Started, "lro-b", NewDisk(1)).WithTimeout();
        await ArmOperations.WaitForCompletionAsync(operation, clock, CancellationToken.None).WithTimeout();

        var polls = Polls(bed);
        Assert.True(polls >= 1, "the operation was never polled");
        Assert.Equal(FallbackWaits(polls - 1).Select(w => w > TimeSpan.FromSeconds(5) ? w : TimeSpan.FromSeconds(5)), clock.Waits);
    }

    [Fact]
    public async Task AnOperationDoneInItsFirstAnswer_IsNeitherPolledNorWaitedFor()
    {
        // Deleting a disk that is not there: ARM answers 204 at once.
        var bed = await BedAsync(retryAfterSeconds: 0).WithTimeout();
        var clock = new SkipAheadTimeProvider();
        var disk = bed.Clients(bed.Configuration(), clock).Arm.GetManagedDiskResource(ManagedDiskResource.CreateResourceIdentifier(bed.Arm.Options.SubscriptionId, bed.Arm.Options.ResourceGroup, "absent"));

        var response = await ArmOperations.WaitForCompletionAsync(await disk.DeleteAsync(WaitUntil.Started).WithTimeout(), clock, CancellationToken.None).WithTimeout();

        Assert.Equal(204, response.Status);
        Assert.Equal(0, Polls(bed));
        Assert.Empty(clock.Waits);
    }

    [Fact]
    public async Task AFailedOperation_RaisesWhatTheSdksOwnWaitRaises()
    {
        var bed = await BedAsync(retryAfterSeconds: 0).WithTimeout();
        bed.Arm.SeedDisk("lro-f", 1);
        bed.Arm.FailNextVmUpdates(2);
        var clients = bed.Clients(bed.Configuration(), new SkipAheadTimeProvider());
        var vms = clients.Arm.GetResourceGroupResource(ResourceGroupResource.CreateResourceIdentifier(bed.Arm.Options.SubscriptionId, bed.Arm.Options.ResourceGroup)).GetVirtualMachines();
        var location = (await vms.GetAsync("node-1").WithTimeout()).Value.Data.Location;
        var sparse = new VirtualMachineData(location) { StorageProfile = new VirtualMachineStorageProfile() };
        sparse.StorageProfile.DataDisks.Add(new VirtualMachineDataDisk(0, DiskCreateOptionType.Attach) { ManagedDisk = new VirtualMachineManagedDisk { Id = ManagedDiskResource.CreateResourceIdentifier(bed.Arm.Options.SubscriptionId, bed.Arm.Options.ResourceGroup, "lro-f") } });

        // The SDK's own wait (on the system clock: one real second) is the reference.
        var expected = await Assert.ThrowsAsync<RequestFailedException>(() => vms.CreateOrUpdateAsync(WaitUntil.Completed, "node-1", sparse)).WithTimeout();
        var started = await vms.CreateOrUpdateAsync(WaitUntil.Started, "node-1", sparse).WithTimeout();
        var actual = await Assert.ThrowsAsync<RequestFailedException>(() => ArmOperations.WaitForCompletionAsync(started, clients.TimeProvider, CancellationToken.None)).WithTimeout();

        Assert.Equal("InternalExecutionError", expected.ErrorCode);
        Assert.Equal((expected.Status, expected.ErrorCode, expected.Message.Split('\n')[0]), (actual.Status, actual.ErrorCode, actual.Message.Split('\n')[0]));
        Assert.Null(bed.Arm.Disks().Single().AttachedTo);
    }

    [Fact]
    public async Task Cancellation_EndsTheWait_AndNoFurtherPollIsSent()
    {
        // The double's operation runs a real second, so the first poll finds it running.
        var bed = await BedAsync(retryAfterSeconds: 0, operationTime: TimeSpan.FromSeconds(1)).WithTimeout();
        var clock = new ManualTimeProvider();
        using var cancellation = new CancellationTokenSource();
        var operation = await Disks(bed, clock).CreateOrUpdateAsync(WaitUntil.Started, "lro-c", NewDisk(1)).WithTimeout();

        var wait = ArmOperations.WaitForCompletionAsync(operation, clock, cancellation.Token);
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(1)).WithTimeout();
        cancellation.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait).WithTimeout();
        Assert.Equal(1, Polls(bed));
    }

    private async Task<AzureStackTestBed> BedAsync(int retryAfterSeconds, TimeSpan? operationTime = null) =>
        _bed = await AzureStackTestBed.StartAsync(o => o with { RetryAfterSeconds = retryAfterSeconds, OperationTime = operationTime ?? o.OperationTime }).WithTimeout();

    private static ManagedDiskCollection Disks(AzureStackTestBed bed, TimeProvider clock) =>
        bed.Clients(bed.Configuration(), clock).Arm.GetResourceGroupResource(ResourceGroupResource.CreateResourceIdentifier(bed.Arm.Options.SubscriptionId, bed.Arm.Options.ResourceGroup)).GetManagedDisks();

    private static ManagedDiskData NewDisk(int sizeGb) => new(new AzureLocation("westeurope")) { DiskSizeGB = sizeGb, CreationData = new DiskCreationData(DiskCreateOption.Empty) };

    /// <summary>The operation status polls the double answered (Azure-AsyncOperation or Location).</summary>
    private static int Polls(AzureStackTestBed bed) =>
        bed.Arm.Received().Count(r => r.Method == "GET" && r.Path.Contains("operations/", StringComparison.OrdinalIgnoreCase));

    /// <summary>A poll's answer with the given headers, for the delay rule alone.</summary>
    private sealed class StubResponse(Dictionary<string, string> headers) : Response
    {
        public override int Status => 200;

        public override string ReasonPhrase => "OK";

        public override Stream? ContentStream { get; set; }

        public override string ClientRequestId { get; set; } = string.Empty;

        public override void Dispose()
        {
        }

        protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value) => headers.TryGetValue(name, out value);

        protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values)
        {
            values = headers.TryGetValue(name, out var value) ? [value] : null;
            return values is not null;
        }

        protected override bool ContainsHeader(string name) => headers.ContainsKey(name);

        protected override IEnumerable<HttpHeader> EnumerateHeaders() => headers.Select(h => new HttpHeader(h.Key, h.Value));
    }
}
