using Microsoft.Extensions.Logging.Abstractions;
using Simulators.Arm;
using VolumeDriver.Backends.Azure;
using VolumeDriver.Configuration;
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
    private const string Client = "11111111-0000-0000-0000-00000000000e";
    private const string Vhd = "https://vdpool0s001.blob.local.azurestack.external/vhds/pv-blob.vhd";

    private ArmSimulator _arm = null!;
    private string _directory = null!;
    private AzureClients _clients = null!;

    public async Task InitializeAsync()
    {
        _directory = Directory.CreateTempSubdirectory("vd-vmpath-").FullName;
        _arm = await ArmSimulator.StartAsync(new ArmSimulatorOptions
        {
            StateDirectory = Path.Join(_directory, "arm"),
            ClientSecrets = new Dictionary<string, string> { [Client] = TestSecrets.Password },
            OperationTime = TimeSpan.FromMilliseconds(100),
            RetryAfterSeconds = 0,
            Vms = ["node-1", "legacy-1", "legacy-2"],
            UnmanagedOsDiskVms = ["legacy-1", "legacy-2"],
        });
        var azureJson = Path.Join(_directory, "azure.json");
        await File.WriteAllTextAsync(azureJson, $$"""
            {"cloud":"AzureStackCloud","tenantId":"{{_arm.Options.TenantId}}","subscriptionId":"{{_arm.Options.SubscriptionId}}",
             "resourceGroup":"{{_arm.Options.ResourceGroup}}","location":"{{_arm.Options.Location}}","aadClientId":"{{Client}}","aadClientSecret":"{{TestSecrets.Password}}"}
            """);
        var environmentFile = _arm.WriteEnvironmentFile();
        _clients = AzureClients.Create(new AzureConfiguration(azureJson, _arm.CaCertificatePemPath, Path.Join(_directory, "state"), TimeSpan.FromSeconds(1)), name => name == AzureEnvironment.EnvironmentFileVariable ? environmentFile : null);
    }

    public async Task DisposeAsync()
    {
        await _arm.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private VmDataDiskUpdater Updater() => new(
        new VmUpdateQueue(Path.Join(_directory, "state")),
        new FileVmLockProvider(Path.Join(_directory, "locks"), TimeProvider.System, NullLogger<FileVmLockProvider>.Instance),
        TimeSpan.FromMinutes(1),
        _clients.Cloud.ResourceGroup,
        TimeProvider.System,
        NullLogger.Instance);

    private AzureNodeVm Vm(string node) => AzureNodeVm.For(NodeName.TryCreate(node, out var n, out _) ? n.Value : throw new ArgumentException(node), _clients.Cloud, _clients.Arm);

    private static VmDiskRequest Blob(bool detach = false) => new(Guid.NewGuid().ToString("N"), Vhd, "pv-blob", "ReadWrite", Detach: detach, Vhd: true);

    [Fact]
    public async Task AVhd_AttachesToAVmWithAVhdOsDisk_AtTheLowestFreeLun_AndDetaches()
    {
        var lun = await Updater().CarryOutAsync(Vm("legacy-1"), Blob(), CancellationToken.None);
        var again = await Updater().CarryOutAsync(Vm("legacy-1"), Blob(), CancellationToken.None);

        Assert.Equal("0", lun);
        Assert.Equal(lun, again);
        Assert.Equal(("legacy-1", Vhd, 0), Assert.Single(_arm.VhdAttachments()));

        Assert.Equal(VmUpdateQueue.Detached, await Updater().CarryOutAsync(Vm("legacy-1"), Blob(detach: true), CancellationToken.None));
        Assert.Equal(VmUpdateQueue.Absent, await Updater().CarryOutAsync(Vm("legacy-1"), Blob(detach: true), CancellationToken.None));
        Assert.Empty(_arm.VhdAttachments());
    }

    [Fact]
    public async Task AVhd_OnAVmWithAManagedOsDisk_IsRefusedBeforeAnyUpdate()
    {
        var e = await Assert.ThrowsAsync<DiskOperationException>(() => Updater().CarryOutAsync(Vm("node-1"), Blob(), CancellationToken.None));

        Assert.Contains("does not attach a blob-based (VHD) disk to a VM with managed disks", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, _arm.VmUpdates);
    }

    [Fact]
    public async Task AVhdAnotherVmHolds_FailsOnItsLease_AndNothingChanges()
    {
        await Updater().CarryOutAsync(Vm("legacy-1"), Blob(), CancellationToken.None);

        var e = await Assert.ThrowsAsync<DiskOperationException>(() => Updater().CarryOutAsync(Vm("legacy-2"), Blob(), CancellationToken.None));

        Assert.Contains("AcquireDiskLeaseFailed", e.Message, StringComparison.Ordinal);
        Assert.Equal(("legacy-1", Vhd, 0), Assert.Single(_arm.VhdAttachments()));
    }
}
