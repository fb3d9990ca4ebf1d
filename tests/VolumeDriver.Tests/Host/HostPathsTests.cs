using VolumeDriver.Host;

namespace VolumeDriver.Tests.Host;

public sealed class HostPathsTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("hostpaths-");

    public void Dispose() => _root.Delete(recursive: true);

    [Theory]
    [InlineData("/", "/")]
    [InlineData("/a/b/", "/a/b")]
    [InlineData("//a//./b/../c", "/a/c")]
    [InlineData("/../a", "/a")]
    public void Normalize_Path_RemovesDotsAndSlashes(string path, string expected)
    {
        Assert.Equal(expected, HostPaths.Normalize(path));
    }

    [Fact]
    public void Normalize_RelativePath_Throws()
    {
        Assert.Throws<ArgumentException>(() => HostPaths.Normalize("dev/sdc"));
    }

    [Fact]
    public void ResolveLinks_UdevStyleRelativeLink_ResolvesInsideTheRoot()
    {
        var root = new HostRoot(_root.FullName);
        Directory.CreateDirectory(root.Map("/dev/disk/by-id"));
        File.WriteAllText(root.Map("/dev/sdc"), string.Empty);
        File.CreateSymbolicLink(root.Map("/dev/disk/by-id/wwn-0x600"), "../../sdc");

        Assert.Equal("/dev/sdc", HostPaths.ResolveLinks(root, "/dev/disk/by-id/wwn-0x600"));
    }

    [Fact]
    public void ResolveLinks_AbsoluteLinkAndLinkedDirectory_AreTakenAsHostPaths()
    {
        var root = new HostRoot(_root.FullName);
        Directory.CreateDirectory(root.Map("/data/kubelet/mounts"));
        Directory.CreateDirectory(root.Map("/var/lib"));
        Directory.CreateSymbolicLink(root.Map("/var/lib/kubelet"), "/data/kubelet");

        Assert.Equal("/data/kubelet/mounts/vol", HostPaths.ResolveLinks(root, "/var/lib/kubelet/mounts/vol/"));
    }

    [Fact]
    public void ResolveLinks_LinkLoop_Throws()
    {
        var root = new HostRoot(_root.FullName);
        Directory.CreateDirectory(root.Map("/dev"));
        File.CreateSymbolicLink(root.Map("/dev/a"), "b");
        File.CreateSymbolicLink(root.Map("/dev/b"), "a");

        Assert.Throws<IOException>(() => HostPaths.ResolveLinks(root, "/dev/a"));
    }

    [Fact]
    public void FindLinkBelow_LinkAboveTheDepth_IsAllowed_AndOneBelowIsFound()
    {
        var root = new HostRoot(_root.FullName);
        Directory.CreateDirectory(root.Map("/data/kubelet/plugins/mounts"));
        Directory.CreateDirectory(root.Map("/elsewhere"));
        Directory.CreateDirectory(root.Map("/var/lib"));
        Directory.CreateSymbolicLink(root.Map("/var/lib/kubelet"), "/data/kubelet");

        Assert.Null(HostPaths.FindLinkBelow(root, "/var/lib/kubelet/plugins/mounts/vol", depth: 3));

        Directory.CreateSymbolicLink(root.Map("/data/kubelet/plugins/mounts/vol"), "/elsewhere");
        Assert.Equal(("/data/kubelet/plugins/mounts/vol", "/elsewhere"), HostPaths.FindLinkBelow(root, "/var/lib/kubelet/plugins/mounts/vol", depth: 3));
    }

    [Fact]
    public void FindLinkBelow_MissingComponent_EndsTheWalk()
    {
        var root = new HostRoot(_root.FullName);
        Directory.CreateDirectory(root.Map("/a"));

        Assert.Null(HostPaths.FindLinkBelow(root, "/a/b/c/d", depth: 3));
    }
}
