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

    [Theory]
    [InlineData("/var/lib/kubelet/plugins/kubernetes.io/flexvolume/example.com/volume-driver/mounts/pv-1", "pv-1")]
    [InlineData("/data/kubelet/plugins/kubernetes.io/flexvolume/acme/vd/mounts/pvc-abc", "pvc-abc")]
    public void RequireDeviceMountPath_KubeletLayout_GivesTheVolumeName(string path, string volume)
    {
        Assert.Equal((path, volume), HostPathArgument.RequireDeviceMountPath(path, "deviceMountPath"));
    }

    [Theory]
    [InlineData("/etc")]
    [InlineData("/mnt/pv-1")]
    [InlineData("/var/lib/kubelet/pods/8a/volumes/acme~vd/pv-1")]
    [InlineData("/var/lib/kubelet/plugins/kubernetes.io/flexvolume/acme/vd/mounts")]
    [InlineData("/plugins/kubernetes.io/flexvolume/acme/vd/other/pv-1")]
    public void RequireDeviceMountPath_AnythingElse_IsRefused(string path)
    {
        var error = Assert.Throws<InvalidOptionException>(() => HostPathArgument.RequireDeviceMountPath(path, "deviceMountPath"));
        Assert.Contains("kubelet device mount path", error.Message, StringComparison.Ordinal);
    }
}
