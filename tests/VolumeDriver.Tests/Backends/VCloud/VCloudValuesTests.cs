using System.Net;
using VolumeDriver.Backends;
using VolumeDriver.Backends.VCloud;
using VolumeDriver.CloudCalls;
using VolumeDriver.Domain;
using VolumeDriver.Errors;

namespace VolumeDriver.Tests.Backends.VCloud;

public sealed class VCloudValuesTests
{
    [Theory]
    [InlineData(null, null, "6", "VirtualSCSI")]
    [InlineData("6", null, "6", "VirtualSCSI")]
    [InlineData("6", "lsilogicsas", "6", "lsilogicsas")]
    [InlineData("5", null, "5", "")]
    [InlineData("20", "vmware.nvme.controller", "20", "vmware.nvme.controller")]
    [InlineData("20", null, "20", "vmware.sata.ahci")]
    public void Bus_AcceptsTheApiTable(string? busType, string? busSubType, string expectedType, string expectedSubType)
    {
        var options = new Dictionary<string, string>();
        if (busType is not null)
        {
            options["busType"] = busType;
        }

        if (busSubType is not null)
        {
            options["busSubType"] = busSubType;
        }

        Assert.Equal(new VCloudBus(expectedType, expectedSubType), VCloudBus.From(options));
    }

    [Theory]
    [InlineData("7", "VirtualSCSI", "busType")]
    [InlineData("6", "vmware.sata.ahci", "busSubType")]
    [InlineData("20", "VirtualSCSI", "busSubType")]
    [InlineData("6", "virtualscsi", "busSubType")]
    public void Bus_RefusesOtherCombinations_NamingTheOption(string busType, string busSubType, string option)
    {
        var e = Assert.Throws<InvalidOptionException>(() => VCloudBus.From(new Dictionary<string, string> { ["busType"] = busType, ["busSubType"] = busSubType }));

        Assert.Equal(option, e.Key);
        Assert.Contains("allowed", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("27.0", 27, 0)]
    [InlineData("37.2", 37, 2)]
    [InlineData("36", 36, 0)]
    public void ApiVersion_Parses(string text, int major, int minor)
    {
        Assert.True(VCloudApiVersion.TryParse(text, out var version));
        Assert.Equal(new VCloudApiVersion(major, minor), version);
    }

    [Fact]
    public void ApiVersion_ComparesNumerically()
    {
        Assert.True(new VCloudApiVersion(36, 0) > new VCloudApiVersion(5, 5));
        Assert.True(new VCloudApiVersion(37, 10) > new VCloudApiVersion(37, 2));
        Assert.False(VCloudApiVersion.TryParse("x.1", out _));
        Assert.False(VCloudApiVersion.TryParse("", out _));
    }

    [Fact]
    public void DiskName_IsTheVolumeNameOption_OrTheVolume()
    {
        var volume = VolumeName.TryCreate("pv-1", out var name, out _) ? name.Value : throw new InvalidOperationException();

        Assert.Equal("pv-1", VCloudDiskName.From(new DiskRequest(volume, null, new Dictionary<string, string>())));
        Assert.Equal("testdisk", VCloudDiskName.From(new DiskRequest(volume, null, new Dictionary<string, string> { ["volumeName"] = "testdisk" })));
    }

    [Theory]
    [InlineData("a;vdc==x")]
    [InlineData("a,b")]
    [InlineData("(a)")]
    [InlineData(" padded")]
    public void DiskName_RefusesWhatWouldChangeTheQueryFilter(string diskName)
    {
        var volume = VolumeName.TryCreate("pv-1", out var name, out _) ? name.Value : throw new InvalidOperationException();

        var e = Assert.Throws<InvalidOptionException>(() => VCloudDiskName.From(new DiskRequest(volume, null, new Dictionary<string, string> { ["volumeName"] = diskName })));

        Assert.Equal("volumeName", e.Key);
    }

    [Fact]
    public void ErrorBody_GivesStatusMinorCodeAndMessage()
    {
        const string body = """<Error xmlns="http://www.vmware.com/vcloud/v1.5" message="The entity is busy completing an operation." majorErrorCode="400" minorErrorCode="BUSY_ENTITY"/>""";

        var e = VCloudConnection.ErrorFrom(HttpMethod.Post, new Uri("https://vcd.example/api/vApp/vm-1/disk/action/attach"), HttpStatusCode.BadRequest, body, new CloudRequestIds("0f9c2d1e-busy"));

        Assert.True(e.IsBusyEntity);
        Assert.False(e.IsNotFound);
        Assert.Contains("busy completing", e.Message, StringComparison.Ordinal);
        Assert.Contains("/api/vApp/vm-1/disk/action/attach", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("(vCloud request id 0f9c2d1e-busy)", e.Message, StringComparison.Ordinal);
        Assert.Equal("0f9c2d1e-busy", e.RequestId);
    }

    [Fact]
    public void ErrorBody_ForbiddenIsNotFound_AndHtmlIsTolerated()
    {
        var e = VCloudConnection.ErrorFrom(HttpMethod.Get, new Uri("https://vcd.example/api/disk/1"), HttpStatusCode.Forbidden, "<html>proxy</html", CloudRequestIds.None);

        Assert.True(e.IsNotFound);
        Assert.Null(e.ErrorCode);
        Assert.Null(e.RequestId);
    }
}
