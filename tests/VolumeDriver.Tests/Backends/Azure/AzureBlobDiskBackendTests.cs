using Microsoft.Extensions.Logging.Abstractions;
using Simulators.Arm;
using VolumeDriver.Backends;
using VolumeDriver.Backends.Azure;
using VolumeDriver.Backends.Azure.Blob;
using VolumeDriver.Configuration;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.Locking;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Backends.Azure;

/// <summary>
/// The blob kinds through the Azure backend on Azure Stack Hub: VHDs in real Azurite, accounts and
/// VMs (whose OS disks are VHDs) in the ARM double. Each "node" has its own state directory, as each
/// machine does.
/// </summary>
public sealed class AzureBlobDiskBackendTests : IAsyncLifetime
{
    private const string Client = "11111111-0000-0000-0000-00000000000f";

    private static readonly ArmSimulatorOptions Defaults = new();
    private static readonly string Prefix = StorageAccountPool.Prefix(Defaults.SubscriptionId, Defaults.ResourceGroup);
    private static readonly string StandardOne = StorageAccountPool.AccountName(Prefix, "Standard_LRS", 1);
    private static readonly string PremiumOne = StorageAccountPool.AccountName(Prefix, "Premium_LRS", 1);
    private static readonly string Dedicated = StorageAccountPool.DedicatedAccountName(Defaults.SubscriptionId, Defaults.ResourceGroup, "pv-own");

    private AzuriteServer? _azurite;
    private ArmSimulator _arm = null!;
    private string _directory = null!;

    public async Task InitializeAsync()
    {
        _directory = Directory.CreateTempSubdirectory("vd-azure-blob-").FullName;
        if (AzuriteServer.MissingReason is null)
        {
            _azurite = await AzuriteServer.StartAsync(StandardOne, PremiumOne, Dedicated);
        }

        _arm = await ArmSimulator.StartAsync(new ArmSimulatorOptions
        {
            StateDirectory = Path.Join(_directory, "arm"),
            ClientSecrets = new Dictionary<string, string> { [Client] = TestSecrets.Password },
            OperationTime = TimeSpan.FromMilliseconds(100),
            RetryAfterSeconds = 0,
            Vms = ["legacy-1", "legacy-2", "node-1"],
            UnmanagedOsDiskVms = ["legacy-1", "legacy-2"],
            BlobEndpointTemplate = _azurite?.EndpointTemplate ?? "https://{account}.blob.core.windows.net/",
            StorageAccountKeys = _azurite?.Keys ?? new Dictionary<string, string>(),
        });
    }

    public async Task DisposeAsync()
    {
        await _arm.DisposeAsync();
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    private AzureManagedDiskBackend Backend(string node = "legacy-1", TimeSpan? drainWait = null)
    {
        var azureJson = Path.Join(_directory, "azure.json");
        File.WriteAllText(azureJson, $$"""
            {"cloud":"AzureStackCloud","tenantId":"{{_arm.Options.TenantId}}","subscriptionId":"{{_arm.Options.SubscriptionId}}",
             "resourceGroup":"{{_arm.Options.ResourceGroup}}","location":"{{_arm.Options.Location}}","aadClientId":"{{Client}}","aadClientSecret":"{{TestSecrets.Password}}"}
            """);
        var environmentFile = _arm.WriteEnvironmentFile();
        var configuration = new AzureConfiguration(azureJson, _arm.CaCertificatePemPath, Path.Join(_directory, node, "state"), drainWait ?? TimeSpan.FromSeconds(1));
        var clients = AzureClients.Create(configuration, name => name == AzureEnvironment.EnvironmentFileVariable ? environmentFile : null);
        var locks = new FileVmLockProvider(Path.Join(_directory, "locks"), TimeProvider.System, NullLogger<FileVmLockProvider>.Instance);
        return new AzureManagedDiskBackend(clients, configuration, new VolumeRecords(configuration.StateDirectory, NullLogger.Instance), locks, TimeSpan.FromMinutes(1), TimeProvider.System, NullLogger.Instance);
    }

    private static DiskRequest Request(string volume, string kind, string? size = "1Gi") =>
        new(Volume(volume), size is null ? null : ByteSize.TryParse(size, out var s, out _) ? s : null, new Dictionary<string, string> { ["kind"] = kind });

    private static NodeName Node(string name) => NodeName.TryCreate(name, out var n, out _) ? n.Value : throw new ArgumentException(name);

    private static VolumeName Volume(string name) => VolumeName.TryCreate(name, out var v, out _) ? v.Value : throw new ArgumentException(name);

    [AzuriteFact]
    public async Task ASharedDisk_AttachesAsAVhd_MovesToAnotherNodeThroughTheIndex_AndIsDeleted()
    {
        var attached = await Backend("legacy-1").AttachAsync(Request("pv-sh", "shared"), Node("legacy-1"), CancellationToken.None);

        var (vm, vhd, lun) = Assert.Single(_arm.VhdAttachments());
        Assert.Equal(("legacy-1", 0), (vm, lun));
        Assert.Equal(AzureManagedDiskBackend.DevicePrefix + "0", attached.DevicePath);
        Assert.Equal((StandardOne, "vhds", "pv-sh.vhd"), BlobDiskProvisioner.Parts(new Uri(vhd)));
        Assert.True(await Backend("legacy-2").IsAttachedAsync(Request("pv-sh", "shared"), Node("legacy-1"), CancellationToken.None));
        Assert.IsType<AzureLunIdentity>(Backend().IdentityFor(Request("pv-sh", "shared"), attached.DevicePath));

        // The drain: the new node (its own state, no record) may not attach before the old one detached.
        var early = await Assert.ThrowsAsync<DiskOperationException>(() => Backend("legacy-2").AttachAsync(Request("pv-sh", "shared"), Node("legacy-2"), CancellationToken.None));
        Assert.Contains("AcquireDiskLeaseFailed", early.Message, StringComparison.Ordinal);

        await Backend("legacy-1").DetachAsync(Volume("pv-sh"), Node("legacy-1"), CancellationToken.None);
        await Backend("legacy-2").AttachAsync(Request("pv-sh", "shared"), Node("legacy-2"), CancellationToken.None);

        Assert.Equal(("legacy-2", vhd), (_arm.VhdAttachments().Single().Vm, _arm.VhdAttachments().Single().VhdUri));

        // Detach from a node that has no record of the volume still finds the VHD (no false success).
        await Backend("node-3-state").DetachAsync(Volume("pv-sh"), Node("legacy-2"), CancellationToken.None);
        Assert.Empty(_arm.VhdAttachments());
        await Backend("legacy-2").DeleteAsync(Volume("pv-sh"), CancellationToken.None);
        Assert.False(await Backend("legacy-1").IsAttachedAsync(Request("pv-sh", "shared", size: null), Node("legacy-1"), CancellationToken.None));
        var missing = await Assert.ThrowsAsync<InvalidOptionException>(() => Backend("legacy-1").AttachAsync(Request("pv-sh", "shared", size: null), Node("legacy-1"), CancellationToken.None));
        Assert.Contains("set the size option", missing.Message, StringComparison.Ordinal);
    }

    [AzuriteFact]
    public async Task ADedicatedDisk_HasItsOwnAccount_WhichGoesWithTheDisk()
    {
        await Backend().AttachAsync(Request("pv-own", "dedicated"), Node("legacy-1"), CancellationToken.None);

        Assert.Contains(_arm.StorageAccounts(), a => a.Name == Dedicated);
        Assert.Equal(Dedicated, BlobDiskProvisioner.Parts(new Uri(_arm.VhdAttachments().Single().VhdUri)).Account);

        await Backend().DetachAsync(Volume("pv-own"), Node("legacy-1"), CancellationToken.None);
        await Backend().DeleteAsync(Volume("pv-own"), CancellationToken.None);

        Assert.DoesNotContain(_arm.StorageAccounts(), a => a.Name == Dedicated);
    }

    [AzuriteFact]
    public async Task ABlobDisk_OnAVmWithAManagedOsDisk_IsRefusedWithAzuresRule()
    {
        var e = await Assert.ThrowsAsync<DiskOperationException>(() => Backend("node-1").AttachAsync(Request("pv-mix", "shared"), Node("node-1"), CancellationToken.None));

        Assert.Contains("does not attach a blob-based (VHD) disk to a VM with managed disks", e.Message, StringComparison.Ordinal);
        Assert.Empty(_arm.VhdAttachments());
    }

    [AzuriteFact]
    public async Task AVhdLeasedByAVmTheDoubleDoesNotKnow_IsWaitedFor_ThenAFailureThatNeverBreaksTheLease()
    {
        await Backend().ProvisionAsync(Request("pv-lease", "shared"), CancellationToken.None);
        var account = _azurite!.Keys[StandardOne];
        var store = PageBlobClient.WithSharedKey(StandardOne, account, new BlobEndpoint(_azurite.EndpointTemplate), new TestOptions(), TimeProvider.System);
        await store.AcquireLeaseAsync("vhds", "pv-lease.vhd", CancellationToken.None);

        var e = await Assert.ThrowsAsync<DiskOperationException>(() => Backend(drainWait: TimeSpan.FromMilliseconds(200)).AttachAsync(Request("pv-lease", "shared"), Node("legacy-1"), CancellationToken.None));

        Assert.Contains("still leased by another VM", e.Message, StringComparison.Ordinal);
        Assert.True((await store.GetPropertiesAsync("vhds", "pv-lease.vhd", CancellationToken.None))?.Leased);
        Assert.Empty(_arm.VhdAttachments());
    }

    private sealed class TestOptions : global::Azure.Core.ClientOptions;
}
