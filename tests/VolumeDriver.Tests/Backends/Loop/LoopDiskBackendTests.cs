using VolumeDriver.Backends.Loop;
using VolumeDriver.Domain;
using VolumeDriver.Tests.Configuration;
using VolumeDriver.Tests.Node;
using VolumeDriver.Tests.TestSupport;

// Not VolumeDriver.Tests.Backends.Loop: CA1716 flags "Loop" (a VB keyword) in a public namespace.
namespace VolumeDriver.Tests.Backends;

public sealed class LoopDiskBackendTests : IDisposable
{
    private readonly TempConfigDirectory _temp = new();
    private readonly FakeHostTree _host = new();

    [Fact]
    public async Task ListAsync_ImageDirectory_ListsImagesWithSizeAndTheNodeOfAttachedOnes()
    {
        var images = _temp.PathOf("images");
        Directory.CreateDirectory(images);
        WriteSparse(Path.Join(images, "pv-b.img"), 64L << 20);
        WriteSparse(Path.Join(images, "pv-a.img"), 1L << 30);
        WriteSparse(Path.Join(images, ".pv-c.0123.tmp"), 1 << 20);
        WriteSparse(Path.Join(images, ".pv-d.img"), 1 << 20);
        File.WriteAllText(Path.Join(images, "notes.txt"), "not an image");
        _host.AddLoop("loop4", Path.Join(images, "pv-b.img"));
        _host.AddLoop("loop5", "/elsewhere/pv-a.img");

        var volumes = await Backend(images).ListAsync(CancellationToken.None).WithTimeout();

        Assert.Equal(["pv-a", "pv-b"], volumes.Select(v => v.Name.Value));
        Assert.Equal(1L << 30, volumes[0].Size.Bytes);
        Assert.Null(volumes[0].AttachedNode);
        Assert.Null(volumes[0].Device);
        Assert.Equal(64L << 20, volumes[1].Size.Bytes);
        Assert.Equal("node-1", volumes[1].AttachedNode?.Value);
        Assert.Equal("/dev/loop4", volumes[1].Device);
        Assert.All(volumes, v => Assert.Null(v.Sku));
    }

    [Fact]
    public async Task ListAsync_MissingDirectory_IsEmpty()
    {
        var volumes = await Backend(_temp.PathOf("never-created")).ListAsync(CancellationToken.None).WithTimeout();
        Assert.Empty(volumes);
    }

    [Fact]
    public async Task ProvisionAsync_AfterAnInterruptedCreate_RemovesOnlyThatVolumesTemporaries()
    {
        var images = _temp.PathOf("images");
        Directory.CreateDirectory(images);
        var abandoned = Path.Join(images, ".pv-a.0123456789abcdef0123456789abcdef.tmp");
        var otherVolumes = Path.Join(images, ".pv-a.b.0123456789abcdef0123456789abcdef.tmp");
        WriteSparse(abandoned, 1 << 20);
        WriteSparse(otherVolumes, 1 << 20);
        Assert.True(VolumeName.TryCreate("pv-a", out var name, out _));

        var created = await Backend(images).ProvisionAsync(new VolumeDriver.Backends.DiskRequest(name.Value, new ByteSize(1 << 20), new Dictionary<string, string>()), CancellationToken.None).WithTimeout();

        Assert.True(created.Created);
        Assert.True(File.Exists(Path.Join(images, "pv-a.img")));
        Assert.False(File.Exists(abandoned));
        Assert.True(File.Exists(otherVolumes));
    }

    public void Dispose()
    {
        _host.Dispose();
        _temp.Dispose();
    }

    private static void WriteSparse(string path, long length)
    {
        using var file = File.Create(path);
        file.SetLength(length);
    }

    private LoopDiskBackend Backend(string imageDirectory) => FakeLoopBackend.Create(imageDirectory, _temp.PathOf("locks"), _host);
}
