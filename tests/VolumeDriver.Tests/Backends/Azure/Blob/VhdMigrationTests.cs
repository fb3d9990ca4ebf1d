using System.Security.Cryptography;
using Azure.ResourceManager.Compute;
using Azure.ResourceManager.Compute.Models;
using Azure.ResourceManager.Resources;
using Simulators.Arm;
using VolumeDriver.Backends;
using VolumeDriver.Backends.Azure;
using VolumeDriver.Backends.Azure.Blob;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Backends.Azure.Blob;

/// <summary>
/// migrate-vhd through the Azure backend: VHDs written by the blob path into real Azurite, imported
/// by the ARM double, which reads the footer from Azurite itself to size the disk.
/// </summary>
public sealed class VhdMigrationTests : IAsyncLifetime
{
    private static readonly ArmSimulatorOptions Defaults = new();
    private static readonly string StandardOne = AzureStackTestBed.PoolAccount("Standard_LRS");
    private static readonly string PremiumOne = AzureStackTestBed.PoolAccount("Premium_LRS");

    private AzureStackTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await AzureStackTestBed.StartAsync(o => o with { Vms = ["legacy-1"], UnmanagedOsDiskVms = ["legacy-1"] }, StandardOne, PremiumOne).WithTimeout();

    public async Task DisposeAsync() => await _bed.DisposeAsync().WithTimeout();

    private AzureDiskBackend Backend() => _bed.Backend("legacy-1");

    private VhdMigration Migration() => _bed.Parts("legacy-1").Migration;

    private PageBlobStore Store(string account) => _bed.Azurite!.Store(account);

    private static DiskRequest Request(string volume, string sku = "Standard_LRS") =>
        new(VolumeName.TryCreate(volume, out var v, out _) ? v.Value : throw new ArgumentException(volume), ByteSize.FromGiB(1), new Dictionary<string, string> { ["kind"] = "shared", ["skuname"] = sku });

    private async Task<ManagedDiskResource> ReadDiskAsync(string name)
    {
        var clients = _bed.Clients(_bed.Configuration());
        var group = clients.Arm.GetResourceGroupResource(ResourceGroupResource.CreateResourceIdentifier(Defaults.SubscriptionId, Defaults.ResourceGroup));
        return (await group.GetManagedDisks().GetAsync(name).WithTimeout()).Value;
    }

    /// <summary>A shared blob disk of 1 GiB with a page of data, as a pod would have left it.</summary>
    private async Task<(Uri Vhd, byte[] Digest)> WrittenVhdAsync(string volume, string sku = "Standard_LRS")
    {
        await Backend().ProvisionAsync(Request(volume, sku), CancellationToken.None).WithTimeout();
        var account = sku == "Premium_LRS" ? PremiumOne : StandardOne;
        var store = Store(account);
        await store.WritePagesAsync("vhds", volume + ".vhd", 4096, RandomNumberGenerator.GetBytes(512), CancellationToken.None).WithTimeout();
        return (store.BlobUri("vhds", volume + ".vhd"), await DigestAsync(store, volume + ".vhd").WithTimeout());
    }

    private static async Task<byte[]> DigestAsync(PageBlobStore store, string blob)
    {
        var properties = await store.GetPropertiesAsync("vhds", blob, CancellationToken.None).WithTimeout();
        var head = await store.ReadAsync("vhds", blob, 0, 8192, CancellationToken.None).WithTimeout();
        var footer = await store.ReadAsync("vhds", blob, properties!.Length - 512, 512, CancellationToken.None).WithTimeout();
        return SHA256.HashData([.. head, .. footer, .. BitConverter.GetBytes(properties.Length), (byte)(properties.Leased ? 1 : 0)]);
    }

    [AzuriteFact]
    public async Task AVhdWrittenThroughTheBlobPath_BecomesAManagedDiskOfTheSameSize_AndTheVhdIsUntouched()
    {
        var (vhd, before) = await WrittenVhdAsync("pv-old").WithTimeout();

        var result = await Migration().MigrateVhdAsync(new VhdMigrationRequest(vhd, null, null, null), CancellationToken.None).WithTimeout();

        Assert.True(result.Created);
        Assert.Equal(("pv-old", 1L << 30, "Standard_LRS"), (result.DiskName, result.SizeBytes, result.Sku));
        var disk = await ReadDiskAsync("pv-old").WithTimeout();
        Assert.Equal(result.DiskUri, disk.Id.ToString());
        Assert.Equal(DiskCreateOption.Import, disk.Data.CreationData.CreateOption);
        Assert.Equal(vhd, disk.Data.CreationData.SourceUri);
        Assert.EndsWith("/providers/Microsoft.Storage/storageAccounts/" + StandardOne, disk.Data.CreationData.StorageAccountId.ToString(), StringComparison.Ordinal);
        Assert.Equal((1, 1L << 30), (disk.Data.DiskSizeGB, disk.Data.DiskSizeBytes));
        Assert.Equal(before, await DigestAsync(Store(StandardOne), "pv-old.vhd").WithTimeout());

        // The PV's new options find the disk: it is a managed disk the backend attaches by diskURI.
        var managed = new DiskRequest(Request("pv-old").Name, null, new Dictionary<string, string> { ["kind"] = "managed", ["diskURI"] = result.DiskUri });
        Assert.Equal(1L << 30, (await Backend().ProvisionAsync(managed, CancellationToken.None).WithTimeout()).Size.Bytes);
    }

    [AzuriteFact]
    public async Task ARerun_FindsTheDiskItImported_AndAPremiumVhdBecomesAPremiumDiskUnderTheNameAsked()
    {
        var (vhd, _) = await WrittenVhdAsync("pv-fast", "Premium_LRS").WithTimeout();

        var first = await Migration().MigrateVhdAsync(new VhdMigrationRequest(vhd, null, "pv-fast-managed", null), CancellationToken.None).WithTimeout();
        var again = await Migration().MigrateVhdAsync(new VhdMigrationRequest(vhd, null, "pv-fast-managed", null), CancellationToken.None).WithTimeout();

        Assert.Equal((true, false), (first.Created, again.Created));
        Assert.Equal(first.DiskUri, again.DiskUri);
        Assert.Equal(("pv-fast-managed", "Premium_LRS"), (again.DiskName, again.Sku));
        Assert.Single(_bed.Arm.Disks(), d => d.Name == "pv-fast-managed");
    }

    [AzuriteFact]
    public async Task ALeasedVhd_IsRefused_AndNothingIsCreated()
    {
        var (vhd, _) = await WrittenVhdAsync("pv-busy").WithTimeout();
        await Store(StandardOne).AcquireLeaseAsync("vhds", "pv-busy.vhd", CancellationToken.None).WithTimeout();

        var e = await Assert.ThrowsAsync<UnsafeOperationException>(() => Migration().MigrateVhdAsync(new VhdMigrationRequest(vhd, null, null, null), CancellationToken.None)).WithTimeout();

        Assert.Contains("is leased", e.Message, StringComparison.Ordinal);
        Assert.Empty(_bed.Arm.Disks());
        Assert.True((await Store(StandardOne).GetPropertiesAsync("vhds", "pv-busy.vhd", CancellationToken.None).WithTimeout())!.Leased);
    }

    [AzuriteFact]
    public async Task ANameTakenByAnotherDisk_AndABlobThatIsNoVhd_AreFailuresThatCreateNothing()
    {
        var (vhd, _) = await WrittenVhdAsync("pv-clash").WithTimeout();
        _bed.Arm.SeedDisk("pv-clash", 1);
        var store = Store(StandardOne);
        await store.CreatePageBlobAsync("vhds", "raw.vhd", 1 << 20, CancellationToken.None).WithTimeout();

        var clash = await Assert.ThrowsAsync<DiskOperationException>(() => Migration().MigrateVhdAsync(new VhdMigrationRequest(vhd, null, null, null), CancellationToken.None)).WithTimeout();
        var raw = await Assert.ThrowsAsync<DiskOperationException>(() => Migration().MigrateVhdAsync(new VhdMigrationRequest(store.BlobUri("vhds", "raw.vhd"), null, null, null), CancellationToken.None)).WithTimeout();
        var ultra = await Assert.ThrowsAsync<InvalidOptionException>(() => Migration().MigrateVhdAsync(new VhdMigrationRequest(vhd, "UltraSSD_LRS", "other", null), CancellationToken.None)).WithTimeout();
        var missing = await Assert.ThrowsAsync<DiskOperationException>(() => Migration().MigrateVhdAsync(new VhdMigrationRequest(store.BlobUri("vhds", "gone.vhd"), null, null, null), CancellationToken.None)).WithTimeout();

        Assert.Contains("already exists", clash.Message, StringComparison.Ordinal);
        Assert.Contains("--name", clash.Message, StringComparison.Ordinal);
        Assert.Contains("fixed-disk VHD footer", raw.Message, StringComparison.Ordinal);
        Assert.Equal("--sku", ultra.Key);
        Assert.Contains("does not exist", missing.Message, StringComparison.Ordinal);
        Assert.Equal(["pv-clash"], _bed.Arm.Disks().Select(d => d.Name));
    }
}
