using VolumeDriver.Host;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Host;

public sealed class MountTableTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("mounttable-");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public async Task ReadAsync_FakeRoot_ReadsMountInfoUnderTheRoot()
    {
        Directory.CreateDirectory(Path.Join(_root.FullName, "proc/self"));
        await File.WriteAllTextAsync(
            Path.Join(_root.FullName, "proc/self/mountinfo"),
            "21 26 0:20 / /proc rw,relatime - proc proc rw\n41 26 7:0 / /mnt/a\\040b ro - ext4 /dev/loop0 ro\n").WithTimeout();

        var entries = await new MountTable(new HostRoot(_root.FullName)).ReadAsync(CancellationToken.None).WithTimeout();

        Assert.Equal(["/proc", "/mnt/a b"], entries.Select(e => e.MountPoint));
    }

    [Fact]
    public async Task ReadAsync_RealProc_FindsTheRootMount()
    {
        var entries = await new MountTable(HostRoot.System).ReadAsync(CancellationToken.None).WithTimeout();

        Assert.Contains(entries, e => e.MountPoint == "/");
    }
}
