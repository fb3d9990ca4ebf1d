using VolumeDriver.Host;

namespace VolumeDriver.Tests.Node;

/// <summary>A temporary directory laid out like the host's /dev and /sys, behind a <see cref="HostRoot"/>.</summary>
internal sealed class FakeHostTree : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("fakehost-");

    public FakeHostTree()
    {
        Root = new HostRoot(_directory.FullName);
    }

    public HostRoot Root { get; }

    /// <summary>Adds /dev/<paramref name="name"/> and /sys/class/block/<paramref name="name"/>/dev.</summary>
    public FakeHostTree AddBlockDevice(string name, uint major, uint minor)
    {
        Write($"/dev/{name}", string.Empty);
        Write($"/sys/class/block/{name}/dev", $"{major}:{minor}\n");
        return this;
    }

    /// <summary>Adds an attached loop device backed by <paramref name="backingFile"/> under /sys/block.</summary>
    public FakeHostTree AddLoop(string name, string backingFile)
    {
        Write($"/sys/block/{name}/loop/backing_file", backingFile + "\n");
        Write($"/sys/block/{name}/dev", $"7:{name["loop".Length..]}\n");
        return this;
    }

    /// <summary>Adds a loop device with nothing attached (no loop/ directory).</summary>
    public FakeHostTree AddDetachedLoop(string name)
    {
        Directory.CreateDirectory(Root.Map($"/sys/block/{name}"));
        return this;
    }

    public void Write(string hostPath, string content)
    {
        var path = Root.Map(hostPath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    public void Link(string hostPath, string target)
    {
        var path = Root.Map(hostPath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.CreateSymbolicLink(path, target);
    }

    public void Dispose() => _directory.Delete(recursive: true);
}
