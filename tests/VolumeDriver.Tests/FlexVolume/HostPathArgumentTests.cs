using VolumeDriver.Errors;
using VolumeDriver.FlexVolume;

namespace VolumeDriver.Tests.FlexVolume;

public sealed class HostPathArgumentTests
{
    [Theory]
    [InlineData("/var/lib/kubelet/plugins/kubernetes.io/flexvolume/acme/volume-driver/mounts/pv-1", "/var/lib/kubelet/plugins/kubernetes.io/flexvolume/acme/volume-driver/mounts/pv-1")]
    [InlineData("/mnt/x/", "/mnt/x")]
    [InlineData("/var/lib/kubelet/pods/8a/volumes/acme~volume-driver/v", "/var/lib/kubelet/pods/8a/volumes/acme~volume-driver/v")]
    public void RequireMountPath_Canonical_IsKept(string path, string expected)
    {
        Assert.Equal(expected, HostPathArgument.RequireMountPath(path, "deviceMountPath"));
    }

    [Theory]
    [InlineData("relative/dir")]
    [InlineData("/mnt/../etc")]
    [InlineData("/mnt/./x")]
    [InlineData("/mnt//x")]
    [InlineData("/")]
    [InlineData("")]
    [InlineData("/mnt/x\n")]
    [InlineData("/mnt/\0x")]
    public void RequireMountPath_Unsafe_FailsNamingTheArgument(string path)
    {
        var error = Assert.Throws<InvalidOptionException>(() => HostPathArgument.RequireMountPath(path, "deviceMountPath"));
        Assert.Equal("deviceMountPath", error.Key);
    }

    [Theory]
    [InlineData("/dev/loop3")]
    [InlineData("/dev/disk/by-id/wwn-0x6000c29")]
    public void RequireDevicePath_UnderDev_IsKept(string path)
    {
        Assert.Equal(path, HostPathArgument.RequireDevicePath(path, "devicePath"));
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("/dev/../etc/passwd")]
    [InlineData("/dev/")]
    [InlineData("loop3")]
    public void RequireDevicePath_OutsideDev_Fails(string path)
    {
        Assert.Throws<InvalidOptionException>(() => HostPathArgument.RequireDevicePath(path, "devicePath"));
    }
}
