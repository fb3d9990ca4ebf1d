using Microsoft.Extensions.Logging.Abstractions;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.Node;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Node;

/// <summary>Finding an Azure data disk by LUN in a fake sysfs, as the in-tree plugin and the CSI driver do.</summary>
public sealed class AzureLunResolverTests : IDisposable
{
    private readonly FakeHostTree _host = new();

    public void Dispose() => _host.Dispose();

    private AzureLunResolver Resolver() => new(_host.Root, new ManualTimeProvider(), NullLogger<AzureLunResolver>.Instance);

    private void ScsiDisk(string address, string device, string vendor = "Msft    ", string model = "Virtual Disk    ")
    {
        _host.Write($"/sys/bus/scsi/devices/{address}/vendor", vendor + "\n");
        _host.Write($"/sys/bus/scsi/devices/{address}/model", model + "\n");
        _host.Write($"/sys/bus/scsi/devices/{address}/block/{device}/dev", "8:0\n");
        _host.AddBlockDevice(device, 8, 0);
    }

    [Fact]
    public async Task Lun_IsFound_AndTheStableLinkReturned()
    {
        ScsiDisk("0:0:0:0", "sda");
        ScsiDisk("1:0:1:0", "sdb");
        ScsiDisk("3:0:0:0", "sdc");
        ScsiDisk("3:0:0:2", "sdd");
        _host.Link("/dev/disk/azure/root", "../../sda");
        _host.Link("/dev/disk/azure/resource", "../../sdb");
        _host.Link("/dev/disk/azure/scsi1/lun2", "../../../sdd");

        var found = await Resolver().ResolveAsync(new AzureLunIdentity("pv", 2), CancellationToken.None).WithTimeout();

        Assert.Equal("/dev/disk/azure/scsi1/lun2", found.DevicePath);
    }

    [Fact]
    public async Task OsAndResourceDisks_AtTheSameLun_AreNeverTaken()
    {
        ScsiDisk("0:0:0:0", "sda");
        ScsiDisk("1:0:1:0", "sdb");
        ScsiDisk("3:0:0:0", "sdc");
        _host.Link("/dev/disk/azure/root", "../../sda");
        _host.Link("/dev/disk/azure/resource", "../../sdb");

        var found = await Resolver().ResolveAsync(new AzureLunIdentity("pv", 0), CancellationToken.None).WithTimeout();

        Assert.Equal("/dev/sdc", found.DevicePath);
        Assert.Contains("no /dev/disk/azure/scsi1/lun0 link", found.Observation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutAzureLinks_HostsUpToThreeAreSkipped()
    {
        ScsiDisk("0:0:0:0", "sda");
        ScsiDisk("5:0:0:0", "sdc");

        var found = await Resolver().ResolveAsync(new AzureLunIdentity("pv", 0), CancellationToken.None).WithTimeout();

        Assert.Equal("/dev/sdc", found.DevicePath);
    }

    [Fact]
    public async Task OtherVendors_AreNotAzureDisks()
    {
        ScsiDisk("5:0:0:1", "sde", vendor: "VMware  ", model: "Virtual disk    ");

        Assert.Null((await Resolver().ResolveAsync(new AzureLunIdentity("pv", 1), CancellationToken.None).WithTimeout()).DevicePath);
    }

    [Fact]
    public async Task TwoDevicesAtOneLun_AreRefused()
    {
        ScsiDisk("5:0:0:4", "sdf");
        ScsiDisk("6:0:0:4", "sdg");

        await Assert.ThrowsAsync<UnsafeOperationException>(() => Resolver().ResolveAsync(new AzureLunIdentity("pv", 4), CancellationToken.None)).WithTimeout();
    }
}
