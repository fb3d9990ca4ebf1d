using VolumeDriver.Backends.Azure;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.Modules;
using VolumeDriver.Provisioning;

namespace VolumeDriver.Tests.Provisioning;

public sealed class VolumePlannerTests
{
    private const string Driver = "example.com/disk";

    [Fact]
    public void Plan_LoopClass_RoundsUpToMiBAndCarriesEveryPvField()
    {
        var storageClass = Class(new() { ["fstype"] = "xfs" }, reclaimPolicy: null, mountOptions: ["noatime"]);

        var plan = Planner(new LoopProvisioningProfile(), []).Plan(Claim(storage: "1500k"), storageClass, selectedNode: null);

        Assert.Equal("pvc-1f0e2d3c-0000-4000-8000-000000000001", plan.PvName);
        Assert.Equal(2L << 20, plan.Capacity.Bytes);
        Assert.Equal(plan.Capacity, plan.Disk.Size);
        Assert.Equal(Driver, plan.Driver);
        Assert.Equal(FsType.Xfs, plan.FsType);
        Assert.Equal(new Dictionary<string, string> { ["size"] = "2Mi", ["mountOptions"] = "noatime" }, plan.Options);
        Assert.Equal(["ReadWriteOnce"], plan.AccessModes);
        Assert.Equal("Delete", plan.ReclaimPolicy);
        Assert.Equal(["noatime"], plan.MountOptions);
        Assert.Equal("fast", plan.StorageClassName);
        Assert.Null(plan.NodeAffinity);
    }

    [Theory]
    [InlineData("1Gi", 1L << 30)]
    [InlineData("1", 1L << 30)]
    [InlineData("1.5Gi", 2L << 30)]
    [InlineData("10G", 10L << 30)]
    [InlineData("2e9", 2L << 30)]
    public void Plan_AzureClass_RoundsUpToWholeGiB(string storage, long expected)
    {
        var plan = Planner(new AzureProvisioningProfile(() => "eastus2"), AzureDiskOptions.Keys).Plan(Claim(storage: storage), Class(new() { ["skuname"] = "Premium_LRS" }), null);

        Assert.Equal(expected, plan.Capacity.Bytes);
        Assert.Equal(new ByteSize(expected).ToString(), plan.Options["size"]);
        Assert.Equal("Premium_LRS", plan.Disk.Options["skuname"]);
    }

    [Theory]
    [InlineData("skunam", "skunam")]
    [InlineData("diskName", "diskName")]
    [InlineData("resourceGroup", "resourceGroup")]
    [InlineData("size", "size")]
    [InlineData("kubernetes.io/readwrite", "kubernetes.io/readwrite")]
    public void Plan_KeyTheAzureClassMustNotHave_FailsNamingIt(string key, string named)
    {
        var error = Assert.Throws<InvalidOptionException>(() =>
            Planner(new AzureProvisioningProfile(() => "eastus2"), AzureDiskOptions.Keys).Plan(Claim(), Class(new() { [key] = "x" }), null));

        Assert.Equal(named, error.Key);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        Assert.Contains("StorageClass fast", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_BadValue_FailsNamingTheKeyAndTheAllowedValues()
    {
        var error = Assert.Throws<InvalidOptionException>(() =>
            Planner(new AzureProvisioningProfile(() => "eastus2"), AzureDiskOptions.Keys).Plan(Claim(), Class(new() { ["cachingmode"] = "Sometimes" }), null));

        Assert.Equal("cachingmode", error.Key);
        Assert.Contains("ReadOnly", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_UnknownFsType_FailsNamingTheParameter()
    {
        var error = Assert.Throws<InvalidOptionException>(() => Planner(new LoopProvisioningProfile(), []).Plan(Claim(), Class(new() { ["fsType"] = "btrfs" }), null));
        Assert.Equal("fstype", error.Key);
    }

    [Theory]
    [InlineData("ReadWriteMany")]
    [InlineData("ReadOnlyMany")]
    public void Plan_ManyNodesAccessMode_IsRefused(string mode)
    {
        var error = Assert.Throws<ProvisioningRefusedException>(() => Planner(new LoopProvisioningProfile(), []).Plan(Claim(accessModes: ["ReadWriteOnce", mode]), Class([]), null));
        Assert.Contains(mode, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_BlockVolumeMode_IsRefusedUntilBlockVolumesAreServed()
    {
        var error = Assert.Throws<ProvisioningRefusedException>(() => Planner(new LoopProvisioningProfile(), []).Plan(Claim(volumeMode: "Block"), Class([]), null));
        Assert.Contains("until the driver serves block volumes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_RecycleReclaimPolicy_IsRefused()
    {
        var error = Assert.Throws<InvalidOptionException>(() => Planner(new LoopProvisioningProfile(), []).Plan(Claim(), Class([], reclaimPolicy: "Recycle"), null));
        Assert.Equal("reclaimPolicy", error.Key);
    }

    internal static ProvisioningClaim Claim(string storage = "1Gi", string[]? accessModes = null, string? volumeMode = null, Dictionary<string, string>? annotations = null) => new(
        "apps",
        "data",
        "1f0e2d3c-0000-4000-8000-000000000001",
        "42",
        "fast",
        VolumeName: null,
        accessModes ?? ["ReadWriteOnce"],
        volumeMode,
        storage,
        annotations ?? new Dictionary<string, string> { ["volume.kubernetes.io/storage-provisioner"] = Driver },
        Deleting: false);

    internal static ProvisioningClass Class(Dictionary<string, string> parameters, string? reclaimPolicy = "Delete", string[]? mountOptions = null, string? bindingMode = null) =>
        new("fast", Driver, parameters, reclaimPolicy, mountOptions ?? [], bindingMode);

    private static VolumePlanner Planner(IProvisioningProfile profile, IReadOnlyList<string> keys)
    {
        Assert.True(FlexDriverName.TryParse(Driver, out var driver, out _));
        return new VolumePlanner(driver.Value, keys.ToHashSet(StringComparer.Ordinal), profile);
    }
}
