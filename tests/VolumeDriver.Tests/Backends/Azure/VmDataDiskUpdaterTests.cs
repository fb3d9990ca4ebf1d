using Microsoft.Extensions.Logging.Abstractions;
using VolumeDriver.Backends.Azure;
using VolumeDriver.CloudCalls;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.Locking;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Backends.Azure;

/// <summary>
/// The VM path with blob disks (vhd.uri): a VHD attaches to a VM whose OS disk is a VHD and detaches
/// again, managed and blob disks never mix on one VM, and a VHD another VM holds fails on its lease.
/// </summary>
public sealed class VmDataDiskUpdaterTests : IAsyncLifetime
{
    private const string Vhd = "https://vdpool0s001.blob.local.azurestack.external/vhds/pv-blob.vhd";

    private readonly SkipAheadTimeProvider _clock = new();
    private AzureStackTestBed _bed = null!;
    private AzureClients _clients = null!;

    public async Task InitializeAsync()
    {
        _bed = await AzureStackTestBed.StartAsync(o => o with { Vms = ["node-1", "legacy-1", "legacy-2"], UnmanagedOsDiskVms = ["legacy-1", "legacy-2"], OperationClock = new SkipAheadTimeProvider() }).WithTimeout();
        _clients = _bed.Clients(_bed.Configuration(), _clock);
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync().WithTimeout();

    private VmDataDiskUpdater Updater() => new(
        new VmUpdateQueue(Path.Join(_bed.Directory, "state")),
        new FileVmLockProvider(Path.Join(_bed.Directory, "locks"), _clock, NullLogger<FileVmLockProvider>.Instance),
        TimeSpan.FromMinutes(1),
        _clients.Cloud.ResourceGroup,
        _clock,
        NullLogger.Instance);

    private AzureNodeVm Vm(string node) => AzureNodeVm.For(NodeName.TryCreate(node, out var n, out _) ? n.Value : throw new ArgumentException(node), _clients.Cloud, _clients.Arm, _clients.TimeProvider);

    private static VmDiskRequest Blob(bool detach = false) => new(Guid.NewGuid().ToString("N"), Vhd, "pv-blob", "ReadWrite", Detach: detach, Vhd: true);

    [Fact]
    public async Task AVhd_AttachesToAVmWithAVhdOsDisk_AtTheLowestFreeLun_AndDetaches()
    {
        var lun = await Updater().CarryOutAsync(Vm("legacy-1"), Blob(), CancellationToken.None).WithTimeout();
        var again = await Updater().CarryOutAsync(Vm("legacy-1"), Blob(), CancellationToken.None).WithTimeout();

        Assert.Equal(new VmDiskOutcome.Attached(0), lun);
        Assert.Equal(lun, again);
        Assert.Equal(("legacy-1", Vhd, 0), Assert.Single(_bed.Arm.VhdAttachments()));

        Assert.Equal(new VmDiskOutcome.Detached(), await Updater().CarryOutAsync(Vm("legacy-1"), Blob(detach: true), CancellationToken.None).WithTimeout());
        Assert.Equal(new VmDiskOutcome.Absent(), await Updater().CarryOutAsync(Vm("legacy-1"), Blob(detach: true), CancellationToken.None).WithTimeout());
        Assert.Empty(_bed.Arm.VhdAttachments());
    }

    [Fact]
    public async Task AVhd_OnAVmWithAManagedOsDisk_IsRefusedBeforeAnyUpdate()
    {
        var e = await Assert.ThrowsAsync<DiskOperationException>(() => Updater().CarryOutAsync(Vm("node-1"), Blob(), CancellationToken.None)).WithTimeout();

        Assert.Contains("does not attach a blob-based (VHD) disk to a VM with managed disks", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, _bed.Arm.VmUpdates);
    }

    [Fact]
    public async Task AVhdAnotherVmHolds_FailsOnItsLease_AndNothingChanges()
    {
        await Updater().CarryOutAsync(Vm("legacy-1"), Blob(), CancellationToken.None).WithTimeout();

        var e = await Assert.ThrowsAsync<CloudRequestException>(() => Updater().CarryOutAsync(Vm("legacy-2"), Blob(), CancellationToken.None)).WithTimeout();

        Assert.Contains("AcquireDiskLeaseFailed", e.Message, StringComparison.Ordinal);
        Assert.Equal(("legacy-1", Vhd, 0), Assert.Single(_bed.Arm.VhdAttachments()));
    }
}
