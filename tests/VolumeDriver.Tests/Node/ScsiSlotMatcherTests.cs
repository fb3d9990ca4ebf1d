using VolumeDriver.Domain;
using VolumeDriver.Node;

namespace VolumeDriver.Tests.Node;

/// <summary>Matching a VM's controllers to the guest's SCSI hosts by the units and sizes they hold.</summary>
public sealed class ScsiSlotMatcherTests
{
    private const long GiB = 1024L * 1024 * 1024;

    private static readonly VmDiskController Bus0 = new(6, "VirtualSCSI", 0);
    private static readonly VmDiskController Bus1 = new(6, "VirtualSCSI", 1);

    private static ScsiDevice Device(int host, int target, string name, long bytes, int channel = 0, int lun = 0) =>
        new(new ScsiAddress(host, channel, target, lun), name, "VMware", "Virtual disk", bytes);

    private static VmDiskSlot Slot(VmDiskController controller, int unit, long bytes, bool isVolume) => new(controller, unit, bytes, isVolume);

    private static VmDiskLayout Layout(params VmDiskSlot[] disks) => new("node-1", disks, VolumeWwn: null);

    [Fact]
    public void TheHostHoldingTheSameUnitsAndSizes_IsTheController_WhateverItsNumber()
    {
        var layout = Layout(Slot(Bus0, 0, 16 * GiB, false), Slot(Bus1, 0, 1 * GiB, false), Slot(Bus1, 1, 2 * GiB, true));
        ScsiDevice[] devices = [Device(3, 0, "sda", 16 * GiB), Device(2, 0, "sdb", 1 * GiB), Device(2, 1, "sdc", 2 * GiB)];

        var match = ScsiSlotMatcher.Match(layout, devices);

        Assert.Equal("sdc", match.Device?.BlockName);
        Assert.Equal(new ScsiAddress(2, 0, 1, 0), match.Device?.Address);
    }

    [Fact]
    public void AUnitTheKernelHasNotSeenYet_IsNotYet_AndTheObservationShowsBothSides()
    {
        var layout = Layout(Slot(Bus0, 0, 16 * GiB, false), Slot(Bus1, 0, 1 * GiB, false), Slot(Bus1, 1, 2 * GiB, true));
        ScsiDevice[] devices = [Device(3, 0, "sda", 16 * GiB), Device(2, 0, "sdb", 1 * GiB)];

        var match = ScsiSlotMatcher.Match(layout, devices);

        Assert.Null(match.Device);
        Assert.Contains("unit 0 1024MiB, unit 1 2048MiB", match.Observation, StringComparison.Ordinal);
        Assert.Contains("host2: unit 0 1024MiB", match.Observation, StringComparison.Ordinal);
    }

    [Fact]
    public void ADiskOfAnotherSizeAtTheUnit_DoesNotMatch()
    {
        var layout = Layout(Slot(Bus1, 0, 1 * GiB, true));

        var match = ScsiSlotMatcher.Match(layout, [Device(2, 0, "sdb", 3 * GiB)]);

        Assert.Null(match.Device);
    }

    [Fact]
    public void TwoControllersHoldingTheSameLayout_AreNeverGuessedBetween()
    {
        var layout = Layout(Slot(Bus0, 0, 16 * GiB, false), Slot(Bus1, 0, 16 * GiB, true));
        ScsiDevice[] devices = [Device(3, 0, "sda", 16 * GiB), Device(2, 0, "sdb", 16 * GiB)];

        var match = ScsiSlotMatcher.Match(layout, devices);

        Assert.Null(match.Device);
        Assert.Contains("cannot tell those controllers apart", match.Observation, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoHostsMatchingOneController_AreNeverGuessedBetween()
    {
        var layout = Layout(Slot(Bus1, 0, 1 * GiB, true));
        ScsiDevice[] devices = [Device(2, 0, "sdb", 1 * GiB), Device(4, 0, "sdd", 1 * GiB)];

        var match = ScsiSlotMatcher.Match(layout, devices);

        Assert.Null(match.Device);
        Assert.Contains("2 and 4 both hold", match.Observation, StringComparison.Ordinal);
    }

    [Fact]
    public void AHostWithADeviceOffChannelZeroOrLunZero_IsNotAVmwareController()
    {
        var layout = Layout(Slot(Bus1, 0, 1 * GiB, true));
        ScsiDevice[] devices = [Device(2, 0, "sdb", 1 * GiB), Device(2, 0, "sdc", 1 * GiB, lun: 1)];

        Assert.Null(ScsiSlotMatcher.Match(layout, devices).Device);
    }

    [Fact]
    public void SizesAreComparedInWholeMebibytes_AsVCloudReportsCapacity()
    {
        var layout = Layout(Slot(Bus1, 0, 1025L * 1024 * 1024, true));

        var match = ScsiSlotMatcher.Match(layout, [Device(2, 0, "sdb", (1024L * 1024 * 1024) + 512)]);

        Assert.Equal("sdb", match.Device?.BlockName);
    }

    [Fact]
    public void ADiskTheVmDoesNotHold_SaysSo()
    {
        var layout = Layout(Slot(Bus0, 0, 16 * GiB, false));

        var match = ScsiSlotMatcher.Match(layout, [Device(3, 0, "sda", 16 * GiB)]);

        Assert.Null(match.Device);
        Assert.Contains("does not show the disk on VM 'node-1'", match.Observation, StringComparison.Ordinal);
    }

    [Fact]
    public void ControllersWithoutBlockDevices_AreIgnored()
    {
        var layout = Layout(Slot(Bus1, 0, 1 * GiB, true));
        ScsiDevice[] devices = [new(new ScsiAddress(1, 0, 0, 0), null, "NECVMWar", "VMware SATA CD00", null), Device(2, 0, "sdb", 1 * GiB)];

        Assert.Equal("sdb", ScsiSlotMatcher.Match(layout, devices).Device?.BlockName);
    }
}
