using Microsoft.Extensions.Logging.Abstractions;
using VolumeDriver.Errors;
using VolumeDriver.Host;
using VolumeDriver.Locking;
using VolumeDriver.Tests.Node;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Locking;

public sealed class FileVmLockProviderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vmlock-").FullName;
    private readonly ManualTimeProvider _time = new();
    private readonly SignalingTimeProvider _clock;

    public FileVmLockProviderTests()
    {
        _clock = new SignalingTimeProvider(_time);
    }

    public void Dispose()
    {
        _clock.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task AcquireAsync_Free_ReturnsAtOnce()
    {
        var locks = new FileVmLockProvider(_directory, _clock, NullLogger<FileVmLockProvider>.Instance);
        await using var held = await locks.AcquireAsync("vm-1", TimeSpan.FromSeconds(5), CancellationToken.None).WithTimeout();
        Assert.True(File.Exists(Path.Join(_directory, "vm-vm-1.lock")));
    }

    [Fact]
    public async Task AcquireAsync_HeldElsewhere_WaitsUntilReleased()
    {
        var locks = new FileVmLockProvider(_directory, _clock, NullLogger<FileVmLockProvider>.Instance);
        var first = await locks.AcquireAsync("vm-1", TimeSpan.FromSeconds(5), CancellationToken.None).WithTimeout();
        var second = locks.AcquireAsync("vm-1", TimeSpan.FromSeconds(5), CancellationToken.None);

        await AdvanceAsync(second, steps: 10).WithTimeout();
        Assert.False(second.IsCompleted, "the second acquirer got the lock while the first held it");

        await first.DisposeAsync().WithTimeout();
        await AdvanceAsync(second, steps: 1).WithTimeout();

        Assert.True(second.IsCompletedSuccessfully, "the lock was not taken on the next try after its release");
        await using var acquired = await second.WithTimeout();
    }

    [Fact]
    public async Task AcquireAsync_HeldPastTheTimeout_FailsNamingTheVm()
    {
        var locks = new FileVmLockProvider(_directory, _clock, NullLogger<FileVmLockProvider>.Instance);
        await using var first = await locks.AcquireAsync("vm-1", TimeSpan.FromSeconds(5), CancellationToken.None).WithTimeout();
        var started = _time.GetTimestamp();
        var second = locks.AcquireAsync("vm-1", TimeSpan.FromSeconds(2), CancellationToken.None);
        await AdvanceAsync(second, steps: 100).WithTimeout();

        var error = await Assert.ThrowsAsync<DeadlineExceededException>(() => second.WithTimeout()).WithTimeout();
        Assert.StartsWith("waiting for the attach/detach lock of VM 'vm-1' did not finish within 2 s; another driver process on this machine holds ", error.Message, StringComparison.Ordinal);
        Assert.InRange(_time.GetElapsedTime(started), TimeSpan.FromSeconds(1.7), TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task AcquireAsync_DifferentVms_DoNotBlockEachOther()
    {
        var locks = new FileVmLockProvider(_directory, _clock, NullLogger<FileVmLockProvider>.Instance);
        await using var first = await locks.AcquireAsync("vm-1", TimeSpan.FromSeconds(5), CancellationToken.None).WithTimeout();

        // The clock never moves: a lock that had to wait for vm-1's could not be taken.
        var second = locks.AcquireAsync("vm-2", TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.True(second.IsCompletedSuccessfully, "vm-2's lock waited for vm-1's");
        await using var held = await second.WithTimeout();
        Assert.True(File.Exists(Path.Join(_directory, "vm-vm-2.lock")));
    }

    /// <summary>Lets the provider start up to <paramref name="steps"/> waits, moving the clock to the end of each.</summary>
    private async Task AdvanceAsync(Task acquiring, int steps)
    {
        for (var step = 0; step < steps && !acquiring.IsCompleted; step++)
        {
            await Task.WhenAny(acquiring, _clock.WaitForTimerAsync(CancellationToken.None)).WithTimeout();
            if (!acquiring.IsCompleted)
            {
                _time.AdvanceToNextTimer();
            }
        }
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
