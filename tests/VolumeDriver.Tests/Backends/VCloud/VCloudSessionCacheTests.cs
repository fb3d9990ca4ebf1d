using Microsoft.Extensions.Logging.Abstractions;
using VolumeDriver.Backends.VCloud;
using VolumeDriver.Configuration;
using VolumeDriver.Domain;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Backends.VCloud;

/// <summary>The session token cache: root-only, atomic, and a miss whenever it cannot be trusted.</summary>
public sealed class VCloudSessionCacheTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vcloud-cache-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static readonly VCloudSession Session = new("token-123", true, "37.2", "37.2", new Uri("https://vcd.example/api/org/1"), new Uri("https://vcd.example/api/vdc/2"));

    private VCloudConfiguration Configuration(string user = "k8s") => new(
        new Uri("https://vcd.example/"), "acme", "vdc1", user, new Secret("pw"), null, null, true, null, Path.Join(_directory, "state"),
        new Dictionary<string, string>(), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), false, false);

    [Fact]
    public async Task SavedSession_IsLoadedBack_FromA0600FileIn0700Directory()
    {
        var cache = new VCloudSessionCache(Configuration(), NullLogger.Instance);

        await cache.SaveAsync(Session, CancellationToken.None).WithTimeout();
        var loaded = await new VCloudSessionCache(Configuration(), NullLogger.Instance).LoadAsync(CancellationToken.None).WithTimeout();

        Assert.Equal(Session, loaded);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(cache.FilePath));
        Assert.DoesNotContain(Directory.GetFiles(Path.Join(_directory, "state")), f => f.EndsWith(".tmp", StringComparison.Ordinal));
        Assert.DoesNotContain("token-123", Session.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnotherUser_DoesNotGetTheSession()
    {
        await new VCloudSessionCache(Configuration(), NullLogger.Instance).SaveAsync(Session, CancellationToken.None).WithTimeout();

        Assert.Null(await new VCloudSessionCache(Configuration("other"), NullLogger.Instance).LoadAsync(CancellationToken.None).WithTimeout());
    }

    [Fact]
    public async Task FileReadableByOthers_IsNotTrusted_AndRemoved()
    {
        var cache = new VCloudSessionCache(Configuration(), NullLogger.Instance);
        await cache.SaveAsync(Session, CancellationToken.None).WithTimeout();
        File.SetUnixFileMode(cache.FilePath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        Assert.Null(await cache.LoadAsync(CancellationToken.None).WithTimeout());
        Assert.False(File.Exists(cache.FilePath));
    }

    [Fact]
    public async Task CorruptFile_IsAMiss()
    {
        var cache = new VCloudSessionCache(Configuration(), NullLogger.Instance);
        await cache.SaveAsync(Session, CancellationToken.None).WithTimeout();
        await File.WriteAllTextAsync(cache.FilePath, "{not json").WithTimeout();

        Assert.Null(await cache.LoadAsync(CancellationToken.None).WithTimeout());
    }
}
