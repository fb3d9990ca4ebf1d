using Microsoft.Extensions.Logging.Abstractions;
using Simulators.Arm;
using VolumeDriver.Backends;
using VolumeDriver.Backends.Azure;
using VolumeDriver.CloudCalls;
using VolumeDriver.Configuration;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.Locking;
using VolumeDriver.Modules;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Backends.Azure;

/// <summary>The managed-disk backend through Azure.ResourceManager.Compute against the ARM double (LROs, errors, managedBy).</summary>
public sealed class AzureManagedDiskBackendTests : IAsyncLifetime
{
    private const string Client = "11111111-0000-0000-0000-00000000000a";

    private ArmSimulator _arm = null!;
    private string _directory = null!;

    public async Task InitializeAsync()
    {
        _directory = Directory.CreateTempSubdirectory("vd-azure-backend-").FullName;
        _arm = await ArmSimulator.StartAsync(new ArmSimulatorOptions
        {
            StateDirectory = Path.Join(_directory, "arm"),
            ClientSecrets = new Dictionary<string, string> { [Client] = TestSecrets.Password },
            OperationTime = TimeSpan.FromMilliseconds(100),
            OperationClock = new SkipAheadTimeProvider(),
            RetryAfterSeconds = 0,
            Vms = ["node-1", "node-2", "legacy-1"],
            UnmanagedOsDiskVms = ["legacy-1"],
            ScaleSets = new Dictionary<string, int> { ["k8s-vmss"] = 12 },
        }).WithTimeout();
    }

    public async Task DisposeAsync()
    {
        await _arm.DisposeAsync().WithTimeout();
        Directory.Delete(_directory, recursive: true);
    }

    /// <param name="time">The backend's clock; by default one that skips each wait (retries, drain polls, long-running operations' polls).</param>
    /// <param name="lockTime">The lock files' clock, when not <paramref name="time"/>.</param>
    private AzureDiskBackend Backend(TimeSpan? drainWait = null, string vmType = "standard", TimeProvider? time = null, TimeProvider? lockTime = null)
    {
        time ??= new SkipAheadTimeProvider();
        var azureJson = Path.Join(_directory, "azure.json");
        File.WriteAllText(azureJson, $$"""
            {"cloud":"AzureStackCloud","vmType":"{{vmType}}","tenantId":"{{_arm.Options.TenantId}}","subscriptionId":"{{_arm.Options.SubscriptionId}}",
             "resourceGroup":"{{_arm.Options.ResourceGroup}}","location":"{{_arm.Options.Location}}","aadClientId":"{{Client}}","aadClientSecret":"{{TestSecrets.Password}}"}
            """);
        var environmentFile = _arm.WriteEnvironmentFile();
        var configuration = new AzureConfiguration(azureJson, _arm.CaCertificatePemPath, Path.Join(_directory, "state"), drainWait ?? TimeSpan.FromSeconds(1));
        var clients = AzureClients.Create(configuration, name => name == AzureEnvironment.EnvironmentFileVariable ? environmentFile : null, time);
        var locks = new FileVmLockProvider(Path.Join(_directory, "locks"), lockTime ?? time, NullLogger<FileVmLockProvider>.Instance);
        return AzureModule.CreateBackend(clients, configuration, locks, TimeSpan.FromMinutes(1), nodeLocalLocks: true, time, NullLogger.Instance).Disk;
    }

    private static DiskRequest Request(string volume, string? size = "1Gi", Dictionary<string, string>? options = null) =>
        new(VolumeName.TryCreate(volume, out var v, out _) ? v.Value : throw new ArgumentException(volume), size is null ? null : ByteSize.TryParse(size, out var s, out _) ? s : null, options ?? []);

    private static NodeName Node(string name) => NodeName.TryCreate(name, out var n, out _) ? n.Value : throw new ArgumentException(name);

    private static VolumeName Volume(string name) => VolumeName.TryCreate(name, out var v, out _) ? v.Value : throw new ArgumentException(name);

    [Fact]
    public async Task Attach_CreatesTheDisk_TakesTheLowestFreeLuns_AndDetachFreesThem()
    {
        var backend = Backend();

        var first = await backend.AttachAsync(Request("pv-a", "1500Mi", new() { ["skuname"] = "Premium_LRS" }), Node("node-1"), CancellationToken.None).WithTimeout();
        var second = await backend.AttachAsync(Request("pv-b"), Node("node-1"), CancellationToken.None).WithTimeout();
        var again = await Backend().AttachAsync(Request("pv-a"), Node("node-1"), CancellationToken.None).WithTimeout();

        Assert.Equal("/dev/disk/azure/scsi1/lun0", first.DevicePath);
        Assert.Equal("/dev/disk/azure/scsi1/lun1", second.DevicePath);
        Assert.Equal(first, again);
        var disks = _arm.Disks().ToDictionary(d => d.Name);
        Assert.Equal(("node-1", 0, 2, "Premium_LRS"), (disks["pv-a"].AttachedTo, disks["pv-a"].Lun, disks["pv-a"].SizeGb, disks["pv-a"].Sku));
        Assert.True(await backend.IsAttachedAsync(Request("pv-a"), Node("node-1"), CancellationToken.None).WithTimeout());
        Assert.False(await backend.IsAttachedAsync(Request("pv-a"), Node("node-2"), CancellationToken.None).WithTimeout());

        await backend.DetachAsync(Volume("pv-a"), Node("node-1"), CancellationToken.None).WithTimeout();
        await backend.DetachAsync(Volume("pv-a"), Node("node-1"), CancellationToken.None).WithTimeout();
        var third = await backend.AttachAsync(Request("pv-c"), Node("node-1"), CancellationToken.None).WithTimeout();

        Assert.Null(_arm.Disks().Single(d => d.Name == "pv-a").AttachedTo);
        Assert.False(await backend.IsAttachedAsync(Request("pv-a"), Node("node-1"), CancellationToken.None).WithTimeout());
        Assert.Equal("/dev/disk/azure/scsi1/lun0", third.DevicePath);
    }

    [Fact]
    public async Task DrainRace_AttachWaitsThenFailsNamingTheOtherVm_NeverDetachingIt()
    {
        await Backend().AttachAsync(Request("pv-d"), Node("node-2"), CancellationToken.None).WithTimeout();
        var clock = new SkipAheadTimeProvider();
        var before = DiskGets("pv-d");

        var e = await Assert.ThrowsAsync<DiskOperationException>(() => Backend(drainWait: TimeSpan.FromMinutes(1), time: clock).AttachAsync(Request("pv-d"), Node("node-1"), CancellationToken.None).WithTimeout()).WithTimeout();

        // The whole wait passed on the clock, polling the disk every 2 s (one more look comes before the wait).
        Assert.Equal(TimeSpan.FromMinutes(1), clock.Skipped);
        Assert.InRange(DiskGets("pv-d") - before, 30, 32);
        Assert.Contains("VM 'node-2'", e.Message, StringComparison.Ordinal);
        Assert.Equal("node-2", _arm.Disks().Single().AttachedTo);
    }

    [Fact]
    public async Task DrainRace_OldNodeDetachesMeanwhile_AttachSucceeds()
    {
        await Backend().AttachAsync(Request("pv-e"), Node("node-2"), CancellationToken.None).WithTimeout();
        // Held while the other node detaches; released, the drain poll and then the attach's own
        // operation polls pass without real waiting.
        var clock = new SkipAheadTimeProvider(held: true);

        var attach = Backend(drainWait: TimeSpan.FromSeconds(20), time: clock).AttachAsync(Request("pv-e"), Node("node-1"), CancellationToken.None);
        await clock.WaitForTimerAsync(DrainWait.DefaultPoll).WithTimeout();
        await Backend().DetachAsync(Volume("pv-e"), Node("node-2"), CancellationToken.None).WithTimeout();
        clock.Release();
        await attach.WithTimeout();

        Assert.Equal(DrainWait.DefaultPoll, clock.Waits[0]);

        Assert.Equal("node-1", _arm.Disks().Single().AttachedTo);
    }

    [Fact]
    public async Task FailedOperation_IsAFailure_AndTheRetryConverges()
    {
        _arm.FailNextVmUpdates(1);

        var e = await Assert.ThrowsAsync<CloudRequestException>(() => Backend().AttachAsync(Request("pv-f"), Node("node-1"), CancellationToken.None)).WithTimeout();
        await Backend().AttachAsync(Request("pv-f"), Node("node-1"), CancellationToken.None).WithTimeout();

        Assert.Contains("InternalExecutionError", e.Message, StringComparison.Ordinal);
        Assert.Equal("node-1", _arm.Disks().Single().AttachedTo);
    }

    [Fact]
    public async Task Throttled429_IsRetriedAfterRetryAfter()
    {
        // The Retry-After passes on a clock that skips ahead: the retry waited exactly what ARM asked,
        // and every later wait was the VM update's operation polls (the disk exists: no create).
        var clock = new SkipAheadTimeProvider();
        _arm.SeedDisk("pv-g", 1);
        _arm.FailNext("PUT", "/virtualMachines/node-1$", 1, 429, "OperationNotAllowed", retryAfterSeconds: 17);

        await Backend(time: clock).AttachAsync(Request("pv-g"), Node("node-1"), CancellationToken.None).WithTimeout();

        Assert.Equal(TimeSpan.FromSeconds(17), clock.Waits[0]);
        Assert.Equal(ArmOperationsTests.FallbackWaits(clock.Waits.Count - 1), clock.Waits.Skip(1));
        Assert.Equal("node-1", _arm.Disks().Single().AttachedTo);
        Assert.Equal(2, _arm.Requests.Snapshot().Where(p => p.Key.StartsWith("PUT ", StringComparison.Ordinal) && p.Key.Contains("/virtualMachines/", StringComparison.Ordinal)).Sum(p => p.Value));
    }

    [Fact]
    public async Task ThrottlingStorm_MeetsOneRetryLayer_AndEndsInAFailureThatSaysSo()
    {
        // Compute throttling answers 429 with OperationNotAllowed: the SDK's retries (3, after each
        // Retry-After) are the only layer, so 4 PUTs reach ARM, not 4 × 4.
        // Each Retry-After passes on a clock that skips ahead (the disk exists: no operation but the VM's).
        var clock = new SkipAheadTimeProvider();
        _arm.SeedDisk("pv-storm", 1);
        _arm.FailNext("PUT", "/virtualMachines/node-1$", 50, 429, "OperationNotAllowed", retryAfterSeconds: 5);

        var e = await Assert.ThrowsAsync<CloudRequestException>(() => Backend(time: clock).AttachAsync(Request("pv-storm"), Node("node-1"), CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Equal(4, VmPuts());
        Assert.Equal(TimeSpan.FromSeconds(3 * 5), clock.Skipped);
        Assert.Contains("429", e.Message, StringComparison.Ordinal);
        Assert.Contains("throttling", e.Message, StringComparison.Ordinal);
        Assert.Null(_arm.Disks().Single().AttachedTo);
    }

    [Fact]
    public async Task VmWithAnUnmanagedOsDisk_IsRefusedBeforeAnyUpdate_NamingWhatToDo()
    {
        var e = await Assert.ThrowsAsync<DiskOperationException>(() => Backend().AttachAsync(Request("pv-legacy"), Node("legacy-1"), CancellationToken.None)).WithTimeout();

        Assert.Contains("unmanaged (blob VHD) OS disk", e.Message, StringComparison.Ordinal);
        Assert.Contains("kind shared or dedicated", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, VmPuts());
    }

    [Fact]
    public async Task ScaleSetInstance_IsUpdatedAsAnInstance_AndItsComputerNameIsTheNode()
    {
        var backend = Backend(vmType: "vmss");

        var attached = await backend.AttachAsync(Request("pv-ss"), Node("k8s-vmss00000b"), CancellationToken.None).WithTimeout();

        Assert.Equal("/dev/disk/azure/scsi1/lun0", attached.DevicePath);
        Assert.Equal(("k8s-vmss00000b", 0), (_arm.Disks().Single().AttachedTo, _arm.Disks().Single().Lun));
        Assert.Equal(1, _arm.Requests.Snapshot().Where(p => p.Key.StartsWith("PUT ", StringComparison.Ordinal) && p.Key.Contains("/virtualMachineScaleSets/k8s-vmss/virtualMachines/11", StringComparison.Ordinal)).Sum(p => p.Value));
        Assert.True(await backend.IsAttachedAsync(Request("pv-ss"), Node("k8s-vmss00000b"), CancellationToken.None).WithTimeout());
        Assert.False(await backend.IsAttachedAsync(Request("pv-ss"), Node("k8s-vmss00000a"), CancellationToken.None).WithTimeout());
        Assert.Equal("k8s-vmss00000b", (await backend.ListAsync(CancellationToken.None).WithTimeout()).Single().AttachedNode?.Value);

        await Backend(vmType: "vmss").DetachAsync(Volume("pv-ss"), Node("k8s-vmss00000b"), CancellationToken.None).WithTimeout();

        Assert.Null(_arm.Disks().Single().AttachedTo);
    }

    [Fact]
    public async Task ScaleSetInstance_HeldByAnother_IsTheDrainRaceNamingThatNode()
    {
        await Backend(vmType: "vmss").AttachAsync(Request("pv-ss2"), Node("k8s-vmss000001"), CancellationToken.None).WithTimeout();

        var e = await Assert.ThrowsAsync<DiskOperationException>(() => Backend(TimeSpan.FromMilliseconds(100), vmType: "vmss").AttachAsync(Request("pv-ss2"), Node("k8s-vmss000002"), CancellationToken.None)).WithTimeout();

        Assert.Contains("still attached to VM 'k8s-vmss000001'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("node-1")]
    [InlineData("pool-a.b-c.d")]
    public async Task ScaleSetNode_NotNamedLikeAnInstance_IsAClearFailure(string node)
    {
        var e = await Assert.ThrowsAsync<DiskOperationException>(() => Backend(vmType: "vmss").AttachAsync(Request("pv-ss3"), Node(node), CancellationToken.None)).WithTimeout();

        Assert.Contains("scale-set instance", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AQueuedDetachFromAnotherProcess_RidesOnTheNextAttachesUpdate_AndIsAnswered()
    {
        await Backend().AttachAsync(Request("pv-leaving"), Node("node-1"), CancellationToken.None).WithTimeout();
        var leaving = $"/subscriptions/{_arm.Options.SubscriptionId}/resourceGroups/{_arm.Options.ResourceGroup}/providers/Microsoft.Compute/disks/pv-leaving";
        var queue = new VmUpdateQueue(Path.Join(_directory, "state"));
        await queue.EnqueueAsync("node-1", new VmDiskRequest("other-process", leaving, "pv-leaving", "None", Detach: true), CancellationToken.None).WithTimeout();
        var before = VmPuts();

        await Backend().AttachAsync(Request("pv-arriving"), Node("node-1"), CancellationToken.None).WithTimeout();

        Assert.Equal(1, VmPuts() - before);
        Assert.Null(_arm.Disks().Single(d => d.Name == "pv-leaving").AttachedTo);
        Assert.Equal("node-1", _arm.Disks().Single(d => d.Name == "pv-arriving").AttachedTo);
        Assert.Equal(new VmDiskOutcome.Detached(), await queue.TakeAnswerAsync("node-1", "other-process", CancellationToken.None).WithTimeout());
        Assert.Empty(await queue.PendingAsync("node-1", CancellationToken.None).WithTimeout());
    }

    [Fact]
    public async Task ADiskBothAttachedAndDetachedByWaitingRequests_IsLeftToTheirOwnProcesses()
    {
        await Backend().AttachAsync(Request("pv-contested"), Node("node-1"), CancellationToken.None).WithTimeout();
        await Backend().ProvisionAsync(Request("pv-bystander"), CancellationToken.None).WithTimeout();
        var contested = $"/subscriptions/{_arm.Options.SubscriptionId}/resourceGroups/{_arm.Options.ResourceGroup}/providers/Microsoft.Compute/disks/pv-contested";
        var queue = new VmUpdateQueue(Path.Join(_directory, "state"));
        await queue.EnqueueAsync("node-1", new VmDiskRequest("detacher", contested, "pv-contested", "None", Detach: true), CancellationToken.None).WithTimeout();
        await queue.EnqueueAsync("node-1", new VmDiskRequest("attacher", contested, "pv-contested", "None"), CancellationToken.None).WithTimeout();

        await Backend().AttachAsync(Request("pv-bystander"), Node("node-1"), CancellationToken.None).WithTimeout();

        Assert.Equal("node-1", _arm.Disks().Single(d => d.Name == "pv-contested").AttachedTo);
        Assert.Null(await queue.TakeAnswerAsync("node-1", "detacher", CancellationToken.None).WithTimeout());
        Assert.Null(await queue.TakeAnswerAsync("node-1", "attacher", CancellationToken.None).WithTimeout());
        Assert.Equal(["attacher", "detacher"], (await queue.PendingAsync("node-1", CancellationToken.None).WithTimeout()).Select(r => r.Id).Order());
    }

    [Fact]
    public async Task DetachOfADiskNotOnTheVm_OrFromAMissingVm_IsSuccessWithoutAnUpdate()
    {
        await Backend().ProvisionAsync(Request("pv-idle"), CancellationToken.None).WithTimeout();
        await Backend().AttachAsync(Request("pv-idle"), Node("node-2"), CancellationToken.None).WithTimeout();
        var before = VmPuts();

        await Backend().DetachAsync(Volume("pv-idle"), Node("node-1"), CancellationToken.None).WithTimeout();

        Assert.Equal(before, VmPuts());
        Assert.Equal("node-2", _arm.Disks().Single().AttachedTo);
    }

    [Fact]
    public async Task ABatchOverTheSizesDiskLimit_CarriesThisProcesssAttachAlone_AndAFullVmIsAClearFailureWithoutRetries()
    {
        _arm.MaxDataDisks = 2;
        await Backend().AttachAsync(Request("pv-l1"), Node("node-1"), CancellationToken.None).WithTimeout();
        var queue = new VmUpdateQueue(Path.Join(_directory, "state"));
        foreach (var other in new[] { "pv-l2", "pv-l3" })
        {
            var disk = await Backend().ProvisionAsync(Request(other), CancellationToken.None).WithTimeout();
            await queue.EnqueueAsync("node-1", new VmDiskRequest("waiting-" + other, $"/subscriptions/{_arm.Options.SubscriptionId}/resourceGroups/{_arm.Options.ResourceGroup}/providers/Microsoft.Compute/disks/{other}", other, "None"), CancellationToken.None).WithTimeout();
        }

        var before = VmPuts();
        await Backend().AttachAsync(Request("pv-l4"), Node("node-1"), CancellationToken.None).WithTimeout();

        // The batch of three was refused whole; this process's attach then went alone, the others wait for their processes.
        Assert.Equal(2, VmPuts() - before);
        Assert.Equal("node-1", _arm.Disks().Single(d => d.Name == "pv-l4").AttachedTo);
        Assert.Equal(2, (await queue.PendingAsync("node-1", CancellationToken.None).WithTimeout()).Count);

        var full = VmPuts();
        var e = await Assert.ThrowsAsync<CloudRequestException>(() => Backend().AttachAsync(Request("pv-l5"), Node("node-1"), CancellationToken.None)).WithTimeout();

        // With the two still waiting: the batch, then its own attach alone; the permanent refusal is not retried.
        Assert.Contains("size allows no more data disks", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, VmPuts() - full);
    }

    private int DiskGets(string disk) => _arm.Requests.Snapshot().Where(p => p.Key.StartsWith("GET ", StringComparison.Ordinal) && p.Key.Contains("/disks/" + disk, StringComparison.Ordinal)).Sum(p => p.Value);

    private int VmPuts() => _arm.Requests.Snapshot().Where(p => p.Key.StartsWith("PUT ", StringComparison.Ordinal) && p.Key.Contains("/virtualMachines/", StringComparison.Ordinal)).Sum(p => p.Value);

    [Fact]
    public async Task PreemptedOrBusyVmUpdates_AreRetriedABoundedNumberOfTimes()
    {
        // The backoff (1 s, 2 s, 4 s, with jitter) passes on clocks that skip ahead, not in real time.
        // The disks exist, so the only operation is the VM update that succeeds, polled after the backoff.
        var clock = new SkipAheadTimeProvider();
        var failing = new SkipAheadTimeProvider();
        _arm.SeedDisk("pv-p", 1);
        _arm.SeedDisk("pv-q", 1);
        _arm.FailNext("PUT", "/virtualMachines/node-1$", 2, 409, "OperationPreempted");

        await Backend(time: clock).AttachAsync(Request("pv-p"), Node("node-1"), CancellationToken.None).WithTimeout();
        Assert.Equal(3, VmPuts());
        _arm.FailNext("PUT", "/virtualMachines/node-1$", 5, 409, "OperationNotAllowed");
        var e = await Assert.ThrowsAsync<CloudRequestException>(() => Backend(time: failing).AttachAsync(Request("pv-q"), Node("node-1"), CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Equal(3 + 4, VmPuts());
        Assert.InRange(clock.Waits[0], 0.8 * TimeSpan.FromSeconds(1), 1.2 * TimeSpan.FromSeconds(1));
        Assert.InRange(clock.Waits[1], 0.8 * TimeSpan.FromSeconds(2), 1.2 * TimeSpan.FromSeconds(2));
        Assert.Equal(ArmOperationsTests.FallbackWaits(clock.Waits.Count - 2), clock.Waits.Skip(2));
        Assert.InRange(failing.Skipped, 0.8 * TimeSpan.FromSeconds(1 + 2 + 4), 1.2 * TimeSpan.FromSeconds(1 + 2 + 4));

        Assert.Equal("node-1", _arm.Disks().Single(d => d.Name == "pv-p").AttachedTo);
        Assert.Contains("OperationNotAllowed", e.Message, StringComparison.Ordinal);
        Assert.Contains("kubelet's retry", e.Message, StringComparison.Ordinal);
        Assert.Null(_arm.Disks().Single(d => d.Name == "pv-q").AttachedTo);
    }

    [Fact]
    public async Task Resize_GrowsToWholeGiB_IsIdempotent_AndNeverShrinks()
    {
        await Backend().ProvisionAsync(Request("pv-r", "1Gi"), CancellationToken.None).WithTimeout();

        var grown = await Backend().ResizeAsync(Request("pv-r"), new ByteSize((2L << 30) + 1), CancellationToken.None).WithTimeout();
        var again = await Backend().ResizeAsync(Request("pv-r"), new ByteSize(3L << 30), CancellationToken.None).WithTimeout();
        await Assert.ThrowsAsync<UnsafeOperationException>(() => Backend().ResizeAsync(Request("pv-r"), new ByteSize(1L << 30), CancellationToken.None)).WithTimeout();

        Assert.Equal(3L << 30, grown.Bytes);
        Assert.Equal(3L << 30, again.Bytes);
        Assert.Equal(3, _arm.Disks().Single().SizeGb);
    }

    [Fact]
    public async Task ConcurrentAttachesToOneVm_GetDistinctLuns()
    {
        // The lock waits on the system clock: its holder works in real time (the double's operations),
        // and a clock that skips ahead would spend the lock's timeout at once.
        var backends = Enumerable.Range(0, 8).Select(_ => Backend(lockTime: TimeProvider.System)).ToList();
        var attaches = backends.Select((backend, i) => Task.Run(() => backend.AttachAsync(Request($"pv-c{i}", "1Gi"), Node("node-1"), CancellationToken.None))).ToList();
        var devices = (await Task.WhenAll(attaches).WithTimeout()).Select(r => r.DevicePath).ToList();

        Assert.Equal(8, devices.Distinct().Count());
        var luns = _arm.Disks().Select(d => d.Lun).ToList();
        Assert.Equal(8, luns.Distinct().Count());
        Assert.All(_arm.Disks(), d => Assert.Equal("/dev/disk/azure/scsi1/lun" + d.Lun, devices[int.Parse(d.Name[4..], System.Globalization.CultureInfo.InvariantCulture)]));
    }

    [Theory]
    [InlineData("skuname", "Gold_LRS", "Standard_LRS, Premium_LRS")]
    [InlineData("cachingmode", "WriteBack", "None, ReadOnly, ReadWrite")]
    [InlineData("kind", "premium", "allowed: managed, shared, dedicated")]
    public async Task InvalidOption_NamesItAndWhatIsAllowed(string option, string value, string expected)
    {
        var e = await Assert.ThrowsAsync<InvalidOptionException>(() => Backend().AttachAsync(Request("pv-x", options: new() { [option] = value }), Node("node-1"), CancellationToken.None)).WithTimeout();

        Assert.Equal(option, e.Key);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Empty(_arm.Disks());
    }

    [Theory]
    [InlineData("shared")]
    [InlineData("Dedicated")]
    public void BlobKinds_InThePublicClouds_AreRefusedWithTheRetirementAndTheWayOut(string kind)
    {
        foreach (var cloud in new[] { AzureEnvironment.Public, AzureEnvironment.China, AzureEnvironment.UsGovernment })
        {
            var e = Assert.Throws<InvalidOptionException>(() => AzureDiskOptions.From(Request("pv-blob", options: new() { ["kind"] = kind }), cloud));

            Assert.Contains("retired unmanaged disks on 2025-09-30", e.Message, StringComparison.Ordinal);
            Assert.Contains(cloud.Name, e.Message, StringComparison.Ordinal);
            Assert.Contains("volume-driver migrate-vhd <vhd-uri>", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void DiskName_LongerThanAzureTakes_IsRefusedBeforeAnyCall_NamingTheLimit()
    {
        var fromPv = Assert.Throws<InvalidOptionException>(() => AzureDiskOptions.From(Request(new string('p', 81))));
        var fromOption = Assert.Throws<InvalidOptionException>(() => AzureDiskOptions.From(Request("pv-1", options: new() { ["diskName"] = new string('d', 81) })));

        Assert.Equal("kubernetes.io/pvOrVolumeName", fromPv.Key);
        Assert.Equal("diskName", fromOption.Key);
        Assert.Contains("at most 80 characters", fromOption.Message, StringComparison.Ordinal);
        Assert.Equal(new string('q', 80), AzureDiskOptions.From(Request(new string('q', 80))).DiskName);
    }

    [Fact]
    public async Task List_ShowsTheDisksThisDriverCreated_WithTheirNodes()
    {
        await Backend().AttachAsync(Request("pv-l1", "2Gi"), Node("node-1"), CancellationToken.None).WithTimeout();
        await Backend().ProvisionAsync(Request("pv-l2", "1Gi"), CancellationToken.None).WithTimeout();
        _arm.SeedDisk("not-ours", 1);

        var list = await Backend().ListAsync(CancellationToken.None).WithTimeout();

        Assert.Equal(["pv-l1", "pv-l2"], list.Select(v => v.Name.Value));
        Assert.Equal("node-1", list[0].AttachedNode?.Value);
        Assert.Equal(2L << 30, list[0].Size.Bytes);
        Assert.Null(list[1].AttachedNode);
        Assert.Equal("StandardSSD_LRS", list[1].Sku);
    }

    [Fact]
    public async Task DiskUri_NamesAnExistingDisk_AndDetachByPvNameFindsIt()
    {
        await Backend().ProvisionAsync(Request("shared-data", "2Gi"), CancellationToken.None).WithTimeout();
        var uri = $"/subscriptions/{_arm.Options.SubscriptionId}/resourceGroups/{_arm.Options.ResourceGroup}/providers/Microsoft.Compute/disks/shared-data";

        await Backend().AttachAsync(Request("pv-h", size: null, new() { ["diskURI"] = uri }), Node("node-1"), CancellationToken.None).WithTimeout();
        await Backend().DetachAsync(Volume("pv-h"), Node("node-1"), CancellationToken.None).WithTimeout();

        Assert.Null(_arm.Disks().Single().AttachedTo);
    }
}
