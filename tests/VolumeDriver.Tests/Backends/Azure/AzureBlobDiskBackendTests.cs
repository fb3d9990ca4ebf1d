using System.Text;
using Simulators;
using Simulators.Arm;
using VolumeDriver.Backends;
using VolumeDriver.Backends.Azure;
using VolumeDriver.Backends.Azure.Blob;
using VolumeDriver.CloudCalls;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Backends.Azure;

/// <summary>
/// The blob kinds through the Azure backend on Azure Stack Hub: VHDs in real Azurite, accounts and
/// VMs (whose OS disks are VHDs) in the ARM double. Each "node" has its own state directory, as each
/// machine does.
/// </summary>
public sealed class AzureBlobDiskBackendTests : IAsyncLifetime
{
    private static readonly ArmSimulatorOptions Defaults = new();
    private static readonly string StandardOne = AzureStackTestBed.PoolAccount("Standard_LRS");
    private static readonly string PremiumOne = AzureStackTestBed.PoolAccount("Premium_LRS");
    private static readonly string Dedicated = StorageAccountPool.DedicatedAccountName(Defaults.SubscriptionId, Defaults.ResourceGroup, "pv-own");

    private AzureStackTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await AzureStackTestBed.StartAsync(
        o => o with { Vms = ["legacy-1", "legacy-2", "node-1"], UnmanagedOsDiskVms = ["legacy-1", "legacy-2"] },
        StandardOne,
        PremiumOne,
        Dedicated).WithTimeout();

    public async Task DisposeAsync() => await _bed.DisposeAsync().WithTimeout();

    private ArmSimulator Arm => _bed.Arm;

    private AzureDiskBackend Backend(string node = "legacy-1", TimeSpan? drainWait = null, TimeProvider? time = null) => _bed.Backend(node, drainWait, time);

    private static DiskRequest Request(string volume, string kind, string? size = "1Gi") =>
        new(Volume(volume), size is null ? null : ByteSize.TryParse(size, out var s, out _) ? s : null, new Dictionary<string, string> { ["kind"] = kind });

    private static NodeName Node(string name) => NodeName.TryCreate(name, out var n, out _) ? n.Value : throw new ArgumentException(name);

    private static VolumeName Volume(string name) => VolumeName.TryCreate(name, out var v, out _) ? v.Value : throw new ArgumentException(name);

    [AzuriteFact]
    public async Task ADiskLargerThanAPageBlobHolds_IsAFailureBeforeAnythingIsCreated_And1023GiBIsCreatedAsGeneralPurposeV1()
    {
        var tooLarge = await Assert.ThrowsAsync<InvalidOptionException>(() => Backend().AttachAsync(Request("pv-huge", "shared", size: "1Ti"), Node("legacy-1"), CancellationToken.None)).WithTimeout();

        Assert.Contains("the largest blob disk is 1023 GiB", tooLarge.Message, StringComparison.Ordinal);
        Assert.Empty(Arm.StorageAccounts());

        await Backend().AttachAsync(Request("pv-largest", "shared", size: "1023Gi"), Node("legacy-1"), CancellationToken.None).WithTimeout();
        var vhd = new Uri(Arm.VhdAttachments().Single().VhdUri);
        var store = _bed.Azurite!.Store(BlobDiskProvisioner.Parts(vhd).Account);
        var properties = await store.GetPropertiesAsync("vhds", "pv-largest.vhd", CancellationToken.None).WithTimeout();
        Assert.Equal((1023L << 30) + VhdFooter.Size, properties!.Length);
        Assert.Equal(1023L << 30, VhdFooter.ReadDiskSize(await store.ReadAsync("vhds", "pv-largest.vhd", 1023L << 30, VhdFooter.Size, CancellationToken.None).WithTimeout()));
        Assert.All(Arm.StorageAccounts(), a => Assert.Equal("Storage", Arm.StorageAccountKind(a.Name)));
    }

    [AzuriteFact]
    public async Task ASharedDisk_AttachesAsAVhd_MovesToAnotherNodeThroughTheIndex_AndIsDeleted()
    {
        var attached = await Backend("legacy-1").AttachAsync(Request("pv-sh", "shared"), Node("legacy-1"), CancellationToken.None).WithTimeout();

        var (vm, vhd, lun) = Assert.Single(Arm.VhdAttachments());
        Assert.Equal(("legacy-1", 0), (vm, lun));
        Assert.Equal(AzureDiskBackend.DevicePrefix + "0", attached.DevicePath);
        Assert.Equal((StandardOne, "vhds", "pv-sh.vhd"), BlobDiskProvisioner.Parts(new Uri(vhd)));
        Assert.True(await Backend("legacy-2").IsAttachedAsync(Request("pv-sh", "shared"), Node("legacy-1"), CancellationToken.None).WithTimeout());
        Assert.IsType<AzureLunIdentity>(Backend().IdentityFor(Request("pv-sh", "shared"), attached.DevicePath));

        // The drain: the new node (its own state, no record) sees the lease Azure holds for legacy-1 and
        // may not attach before the old one detached.
        var clock = new SkipAheadTimeProvider();
        var early = await Assert.ThrowsAsync<DiskOperationException>(() => Backend("legacy-2", drainWait: TimeSpan.FromMinutes(1), time: clock).AttachAsync(Request("pv-sh", "shared"), Node("legacy-2"), CancellationToken.None)).WithTimeout();
        Assert.Contains("still leased by another VM", early.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromMinutes(1), clock.Skipped);
        var store = _bed.Azurite!.Store(StandardOne);
        Assert.True((await store.GetPropertiesAsync("vhds", "pv-sh.vhd", CancellationToken.None).WithTimeout())!.Leased);
        var attachedDelete = await Assert.ThrowsAsync<UnsafeOperationException>(() => Backend("legacy-2").DeleteAsync(Volume("pv-sh"), CancellationToken.None)).WithTimeout();
        Assert.Contains("leased", attachedDelete.Message, StringComparison.Ordinal);

        await Backend("legacy-1").DetachAsync(Volume("pv-sh"), Node("legacy-1"), CancellationToken.None).WithTimeout();
        Assert.False((await store.GetPropertiesAsync("vhds", "pv-sh.vhd", CancellationToken.None).WithTimeout())!.Leased);
        await Backend("legacy-2").AttachAsync(Request("pv-sh", "shared"), Node("legacy-2"), CancellationToken.None).WithTimeout();

        Assert.Equal(("legacy-2", vhd), (Arm.VhdAttachments().Single().Vm, Arm.VhdAttachments().Single().VhdUri));

        // Detach from a node that has no record of the volume still finds the VHD (no false success).
        await Backend("node-3-state").DetachAsync(Volume("pv-sh"), Node("legacy-2"), CancellationToken.None).WithTimeout();
        Assert.Empty(Arm.VhdAttachments());
        await Backend("legacy-2").DeleteAsync(Volume("pv-sh"), CancellationToken.None).WithTimeout();
        Assert.False(await Backend("legacy-1").IsAttachedAsync(Request("pv-sh", "shared", size: null), Node("legacy-1"), CancellationToken.None).WithTimeout());
        var missing = await Assert.ThrowsAsync<InvalidOptionException>(() => Backend("legacy-1").AttachAsync(Request("pv-sh", "shared", size: null), Node("legacy-1"), CancellationToken.None)).WithTimeout();
        Assert.Contains("set the size option", missing.Message, StringComparison.Ordinal);
    }

    [AzuriteFact]
    public async Task ADedicatedDisk_HasItsOwnAccount_WhichGoesWithTheDisk()
    {
        await Backend().AttachAsync(Request("pv-own", "dedicated"), Node("legacy-1"), CancellationToken.None).WithTimeout();

        Assert.Contains(Arm.StorageAccounts(), a => a.Name == Dedicated);
        Assert.Equal(Dedicated, BlobDiskProvisioner.Parts(new Uri(Arm.VhdAttachments().Single().VhdUri)).Account);

        await Backend().DetachAsync(Volume("pv-own"), Node("legacy-1"), CancellationToken.None).WithTimeout();
        await Backend().DeleteAsync(Volume("pv-own"), CancellationToken.None).WithTimeout();

        Assert.DoesNotContain(Arm.StorageAccounts(), a => a.Name == Dedicated);
    }

    [AzuriteFact]
    public async Task ABlobDisk_OnAVmWithAManagedOsDisk_IsRefusedWithAzuresRule()
    {
        var e = await Assert.ThrowsAsync<DiskOperationException>(() => Backend("node-1").AttachAsync(Request("pv-mix", "shared"), Node("node-1"), CancellationToken.None)).WithTimeout();

        Assert.Contains("does not attach a blob-based (VHD) disk to a VM with managed disks", e.Message, StringComparison.Ordinal);
        Assert.Empty(Arm.VhdAttachments());
    }

    [AzuriteFact]
    public async Task AVhdLeasedByAVmTheDoubleDoesNotKnow_IsWaitedFor_ThenAFailureThatNeverBreaksTheLease()
    {
        await Backend().ProvisionAsync(Request("pv-lease", "shared"), CancellationToken.None).WithTimeout();
        var store = _bed.Azurite!.Store(StandardOne);
        await store.AcquireLeaseAsync("vhds", "pv-lease.vhd", CancellationToken.None).WithTimeout();

        // The whole drain wait passes on a clock that skips ahead.
        var clock = new SkipAheadTimeProvider();
        var e = await Assert.ThrowsAsync<DiskOperationException>(() => Backend(drainWait: TimeSpan.FromMinutes(1), time: clock).AttachAsync(Request("pv-lease", "shared"), Node("legacy-1"), CancellationToken.None)).WithTimeout();

        Assert.Equal(TimeSpan.FromMinutes(1), clock.Skipped);
        Assert.Contains("still leased by another VM", e.Message, StringComparison.Ordinal);
        Assert.True((await store.GetPropertiesAsync("vhds", "pv-lease.vhd", CancellationToken.None).WithTimeout())?.Leased);
        Assert.Empty(Arm.VhdAttachments());
    }

    [AzuriteFact]
    public async Task ABusyBlobService_IsRetriedOnTheInjectedClock_AndTheVhdIsCreatedWithItsFooter()
    {
        // The pool's accounts exist before the busy spell, so only the Blob service's answers are retried below.
        await Backend().ProvisionAsync(Request("pv-calm", "shared"), CancellationToken.None).WithTimeout();
        var stamp = _bed.Azurite!.Stamp;
        stamp.FailNext("PUT", "/vhds/pv-busy.vhd", 2, BlobRefusal.ServerBusy());
        stamp.FailNext("PUT", "/vhds/pv-busy.vhd", 1, BlobRefusal.InternalError());
        var clock = new SkipAheadTimeProvider();

        var created = await Backend(time: clock).ProvisionAsync(Request("pv-busy", "shared"), CancellationToken.None).WithTimeout();

        // Azure.Storage's backoff, 0.8 s, 1.6 s and 3.2 s each ±20 %, passed on the injected clock.
        Assert.InRange(clock.Skipped, TimeSpan.FromSeconds(0.8 * 5.6), TimeSpan.FromSeconds(1.2 * 5.6));
        Assert.True(created.Created);
        Assert.Equal([503, 503, 500, 201, 201], stamp.Received.Where(r => r.Method == "PUT" && r.Path.EndsWith("/vhds/pv-busy.vhd", StringComparison.Ordinal)).Select(r => r.Status));
        var store = _bed.Azurite.Store(StandardOne);
        Assert.Equal(1L << 30, VhdFooter.ReadDiskSize(await store.ReadAsync("vhds", "pv-busy.vhd", 1L << 30, VhdFooter.Size, CancellationToken.None).WithTimeout()));
    }

    [AzuriteFact]
    public async Task ABlobServiceThatStaysBusy_IsAFailureNamingItsAnswer_AfterAzureStoragesFiveRetries()
    {
        await Backend().ProvisionAsync(Request("pv-calm", "shared"), CancellationToken.None).WithTimeout();
        var stamp = _bed.Azurite!.Stamp;
        stamp.FailNext("PUT", "/vhds/pv-storm.vhd", 50, BlobRefusal.ServerBusy());
        var clock = new SkipAheadTimeProvider();

        var e = await Assert.ThrowsAsync<CloudRequestException>(() => Backend(time: clock).ProvisionAsync(Request("pv-storm", "shared"), CancellationToken.None)).WithTimeout();

        Assert.Equal((503, "ServerBusy"), (e.Status, e.ErrorCode));
        Assert.Equal(6, stamp.Received.Count(r => r.Method == "PUT" && r.Path.EndsWith("/vhds/pv-storm.vhd", StringComparison.Ordinal)));
        Assert.InRange(clock.Skipped, TimeSpan.FromSeconds(0.8 * 24.8), TimeSpan.FromSeconds(1.2 * 24.8));
    }

    [AzuriteFact]
    public async Task ACreateWhoseAnswerIsLost_IsRetried_AndTheVhdTheFirstAttemptMadeStillGetsItsFooter()
    {
        await Backend().ProvisionAsync(Request("pv-calm", "shared"), CancellationToken.None).WithTimeout();
        var stamp = _bed.Azurite!.Stamp;
        stamp.LoseAnswerOfNext("PUT", "/vhds/pv-lost.vhd", 1);
        var clock = new SkipAheadTimeProvider();

        await Backend(time: clock).ProvisionAsync(Request("pv-lost", "shared"), CancellationToken.None).WithTimeout();

        // The create made the blob but its answer was lost; the retry found it (409), which is this VHD unfinished.
        Assert.Equal([0, 409, 201], stamp.Received.Where(r => r.Method == "PUT" && r.Path.EndsWith("/vhds/pv-lost.vhd", StringComparison.Ordinal)).Select(r => r.Status));
        Assert.InRange(clock.Skipped, TimeSpan.FromSeconds(0.8 * 0.8), TimeSpan.FromSeconds(1.2 * 0.8));
        var store = _bed.Azurite.Store(StandardOne);
        Assert.Equal(1L << 30, VhdFooter.ReadDiskSize(await store.ReadAsync("vhds", "pv-lost.vhd", 1L << 30, VhdFooter.Size, CancellationToken.None).WithTimeout()));
    }

    [AzuriteFact]
    public async Task ASharedProvisionThatDiedAfterRecordingItsAccount_IsFinishedByTheNextAttach_InThatAccount_AsTheOnlyVhd()
    {
        // The VHD's create is refused for good (403 is not retried) after the index recorded the chosen
        // account: the state a driver killed between the two leaves.
        var stamp = _bed.Azurite!.Stamp;
        stamp.FailNext("PUT", "/vhds/pv-crash.vhd", 1, BlobRefusal.AuthenticationFailed());
        await Assert.ThrowsAsync<CloudRequestException>(() => Backend().ProvisionAsync(Request("pv-crash", "shared"), CancellationToken.None)).WithTimeout();
        var standard = _bed.Azurite.Store(StandardOne);
        var entry = await standard.ReadAsync(BlobDiskIndex.Container, "pv-crash.account", 0, 512, CancellationToken.None).WithTimeout();
        Assert.Equal(StandardOne, Encoding.UTF8.GetString(entry).TrimEnd('\0'));
        Assert.Null(await standard.GetPropertiesAsync("vhds", "pv-crash.vhd", CancellationToken.None).WithTimeout());

        await Backend("legacy-1").AttachAsync(Request("pv-crash", "shared"), Node("legacy-1"), CancellationToken.None).WithTimeout();

        Assert.Equal((StandardOne, "vhds", "pv-crash.vhd"), BlobDiskProvisioner.Parts(new Uri(Arm.VhdAttachments().Single().VhdUri)));
        Assert.Equal(1L << 30, VhdFooter.ReadDiskSize(await standard.ReadAsync("vhds", "pv-crash.vhd", 1L << 30, VhdFooter.Size, CancellationToken.None).WithTimeout()));
        var copies = 0;
        foreach (var account in new[] { StandardOne, PremiumOne, Dedicated })
        {
            copies += (await _bed.Azurite.Store(account).ListAsync("vhds", CancellationToken.None).ToListAsync().WithTimeout()).Count(b => b.Name == "pv-crash.vhd");
        }

        Assert.Equal(1, copies);
    }

    [AzuriteFact]
    public async Task ADedicatedVhdLeftWithoutItsFooter_GetsTheFooterOfItsOwnLength_AndAttaches()
    {
        // The account and a 1 GiB VHD's blob with nothing written: the state a driver killed between the
        // blob's create and its footer write leaves.
        await Backend().ProvisionAsync(Request("pv-own", "dedicated"), CancellationToken.None).WithTimeout();
        var store = _bed.Azurite!.Store(Dedicated);
        Assert.True(await store.DeleteAsync("vhds", "pv-own.vhd", CancellationToken.None).WithTimeout());
        Assert.True(await store.CreatePageBlobAsync("vhds", "pv-own.vhd", (1L << 30) + VhdFooter.Size, CancellationToken.None).WithTimeout());

        // The rerun's size option says 2Gi; the footer must still declare the disk the blob holds.
        await Backend().AttachAsync(Request("pv-own", "dedicated", size: "2Gi"), Node("legacy-1"), CancellationToken.None).WithTimeout();

        Assert.Equal((Dedicated, "vhds", "pv-own.vhd"), BlobDiskProvisioner.Parts(new Uri(Arm.VhdAttachments().Single().VhdUri)));
        Assert.Equal((1L << 30) + VhdFooter.Size, (await store.GetPropertiesAsync("vhds", "pv-own.vhd", CancellationToken.None).WithTimeout())!.Length);
        Assert.Equal(1L << 30, VhdFooter.ReadDiskSize(await store.ReadAsync("vhds", "pv-own.vhd", 1L << 30, VhdFooter.Size, CancellationToken.None).WithTimeout()));
    }

    [AzuriteFact]
    public async Task AFoundVhdWithDataWhereTheFooterGoes_OrLeased_IsNeverWritten_AndAFinishedOneCostsAHeadAndOneRead()
    {
        await Backend().ProvisionAsync(Request("pv-calm", "shared"), CancellationToken.None).WithTimeout();
        await Backend().ProvisionAsync(Request("pv-odd", "shared"), CancellationToken.None).WithTimeout();
        await Backend().ProvisionAsync(Request("pv-held", "shared"), CancellationToken.None).WithTimeout();
        var stamp = _bed.Azurite!.Stamp;
        var store = _bed.Azurite.Store(StandardOne);
        const long Disk = 1L << 30;
        var data = Enumerable.Repeat((byte)0x5A, VhdFooter.Size).ToArray();

        // pv-odd: footer-less, with someone's bytes where the footer goes. pv-held: footer-less and leased (a VM has it).
        foreach (var blob in new[] { "pv-odd.vhd", "pv-held.vhd" })
        {
            Assert.True(await store.DeleteAsync("vhds", blob, CancellationToken.None).WithTimeout());
            Assert.True(await store.CreatePageBlobAsync("vhds", blob, Disk + VhdFooter.Size, CancellationToken.None).WithTimeout());
        }

        await store.WritePagesAsync("vhds", "pv-odd.vhd", Disk, data, CancellationToken.None).WithTimeout();
        await store.AcquireLeaseAsync("vhds", "pv-held.vhd", CancellationToken.None).WithTimeout();
        var before = stamp.Received.Count;

        foreach (var volume in new[] { "pv-odd", "pv-held", "pv-calm" })
        {
            Assert.False((await Backend().ProvisionAsync(Request(volume, "shared"), CancellationToken.None).WithTimeout()).Created);
        }

        var vhdRequests = stamp.Received.Skip(before).Where(r => r.Path.Contains("/vhds/", StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(vhdRequests, r => r.Method == "PUT");
        Assert.Equal(data, await store.ReadAsync("vhds", "pv-odd.vhd", Disk, VhdFooter.Size, CancellationToken.None).WithTimeout());
        Assert.False((await store.ReadAsync("vhds", "pv-held.vhd", Disk + VhdFooter.Size - AzureStackPageBlobs.PageBytes, AzureStackPageBlobs.PageBytes, CancellationToken.None).WithTimeout()).AsSpan().ContainsAnyExcept((byte)0));

        // The finished VHD: the HEAD that finds it, and the 4 KB read that sees its footer.
        Assert.Equal([("HEAD", 200), ("GET", 206)], vhdRequests.Where(r => r.Path.EndsWith("/vhds/pv-calm.vhd", StringComparison.Ordinal)).Select(r => (r.Method, r.Status)));

        // The leased one was not even read.
        Assert.Equal([("HEAD", 200)], vhdRequests.Where(r => r.Path.EndsWith("/vhds/pv-held.vhd", StringComparison.Ordinal)).Select(r => (r.Method, r.Status)));
    }

    [Fact]
    public async Task AttachingAFinishedVhdOfOurs_ReadsItOnce_TheLeaseCheckUsesWhatProvisioningRead()
    {
        await Backend().ProvisionAsync(Request("pv-once", "shared"), CancellationToken.None).WithTimeout();
        var stamp = _bed.Azurite!.Stamp;
        var before = stamp.Received.Count;

        await Backend("legacy-1").AttachAsync(Request("pv-once", "shared"), Node("legacy-1"), CancellationToken.None).WithTimeout();

        // Its reads: the HEAD that finds it and the 4 KB read that sees its footer; the lease check asks
        // for nothing more. (The PUT that follows is the ARM double leasing the VHD to the VM, as Azure does.)
        Assert.Equal(
            [("HEAD", 200), ("GET", 206)],
            stamp.Received.Skip(before).Where(r => r.Path.EndsWith("/vhds/pv-once.vhd", StringComparison.Ordinal) && r.Method is "HEAD" or "GET").Select(r => (r.Method, r.Status)));
    }
}
