using Microsoft.Extensions.Logging.Abstractions;
using VolumeDriver.Errors;
using VolumeDriver.Host;
using VolumeDriver.Locking;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Locking;

public sealed class FileVmLockProviderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vmlock-").FullName;
    private readonly ManualTimeProvider _time = new();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task AcquireAsync_Free_ReturnsAtOnce()
    {
        var locks = new FileVmLockProvider(_directory, _time, NullLogger<FileVmLockProvider>.Instance);
        await using var held = await locks.AcquireAsync("vm-1", TimeSpan.FromSeconds(5), CancellationToken.None).WithTimeout();
        Assert.True(File.Exists(Path.Join(_directory, "vm-vm-1.lock")));
    }

    [Fact]
    public async Task AcquireAsync_HeldElsewhere_WaitsUntilReleased()
    {
        var locks = new FileVmLockProvider(_directory, _time, NullLogger<FileVmLockProvider>.Instance);
        var first = await locks.AcquireAsync("vm-1", TimeSpan.FromSeconds(5), CancellationToken.None).WithTimeout();
        var second = locks.AcquireAsync("vm-1", TimeSpan.FromSeconds(5), CancellationToken.None);

        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.False(second.IsCompleted);

        await first.DisposeAsync();
        while (!second.IsCompleted)
        {
            _time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Yield();
        }

        await using var acquired = await second.WithTimeout();
    }

    [Fact]
    public async Task AcquireAsync_HeldPastTheTimeout_FailsNamingTheVm()
    {
        var locks = new FileVmLockProvider(_directory, _time, NullLogger<FileVmLockProvider>.Instance);
        await using var first = await locks.AcquireAsync("vm-1", TimeSpan.FromSeconds(5), CancellationToken.None).WithTimeout();
        var second = locks.AcquireAsync("vm-1", TimeSpan.FromSeconds(2), CancellationToken.None);
        while (!second.IsCompleted)
        {
            _time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Yield();
        }

        var error = await Assert.ThrowsAsync<DeadlineExceededException>(() => second.WithTimeout());
        Assert.Contains("vm-1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcquireAsync_DifferentVms_DoNotBlockEachOther()
    {
        var locks = new FileVmLockProvider(_directory, _time, NullLogger<FileVmLockProvider>.Instance);
        await using var first = await locks.AcquireAsync("vm-1", TimeSpan.FromSeconds(5), CancellationToken.None).WithTimeout();
        await using var second = await locks.AcquireAsync("vm-2", TimeSpan.FromSeconds(5), CancellationToken.None).WithTimeout();
    }

    [Theory]
    [InlineData("node-1", "node-1")]
    [InlineData("a/b", "a_2fb")]
    [InlineData("../x", ".._2fx")]
    [InlineData("Ü", "_c3_9c")]
    public void FileNameFor_KeepsSafeCharactersAndEncodesTheRest(string vm, string expected)
    {
        Assert.Equal(expected, SafeFileName.For(vm));
    }
}
