using Microsoft.Extensions.Logging.Abstractions;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.Node;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Node;

public sealed class SysfsDeviceLocatorTests : IDisposable
{
    private const string Image = "/var/lib/volume-driver/loop/pv-1.img";

    private readonly FakeHostTree _tree = new();
    private readonly ManualTimeProvider _time = new();
    private readonly SignalingTimeProvider _clock;

    public SysfsDeviceLocatorTests()
    {
        _clock = new SignalingTimeProvider(_time);
    }

    public void Dispose()
    {
        _clock.Dispose();
        _tree.Dispose();
    }

    [Fact]
    public async Task WaitForDeviceAsync_AttachedLoop_ReturnsItsDevPath()
    {
        _tree.AddDetachedLoop("loop0")
            .AddLoop("loop1", "/var/lib/volume-driver/loop/other.img")
            .AddLoop("loop7", Image);

        var device = await Locator().WaitForDeviceAsync(new LoopBackingFileIdentity(Image), TimeSpan.FromSeconds(5), CancellationToken.None).WithTimeout();

        Assert.Equal("/dev/loop7", device);
    }

    [Fact]
    public async Task WaitForDeviceAsync_SimilarNames_MatchesOnlyTheExactPath()
    {
        _tree.AddLoop("loop1", Image + "2")
            .AddLoop("loop2", "/var/lib/volume-driver/loop/pv-1")
            .AddLoop("loop3", Image);

        var device = await Locator().WaitForDeviceAsync(new LoopBackingFileIdentity(Image), TimeSpan.FromSeconds(5), CancellationToken.None).WithTimeout();

        Assert.Equal("/dev/loop3", device);
    }

    [Fact]
    public async Task WaitForDeviceAsync_DeletedBackingFile_IsNotAMatchAndTheMessageSaysSo()
    {
        _tree.AddLoop("loop4", Image + " (deleted)");
        var wait = Locator().WaitForDeviceAsync(new LoopBackingFileIdentity(Image), TimeSpan.FromSeconds(3), CancellationToken.None);

        await AdvanceUntilDone(wait).WithTimeout();
        var e = await Assert.ThrowsAsync<DeviceNotFoundException>(() => wait.WithTimeout()).WithTimeout();

        Assert.Contains("/dev/loop4", e.Message, StringComparison.Ordinal);
        Assert.Contains("deleted", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitForDeviceAsync_NeverAppears_ThrowsAfterTheTimeoutWithWhatWhereHowLong()
    {
        _tree.AddLoop("loop0", "/somewhere/else.img");
        var timeout = TimeSpan.FromSeconds(10);
        var wait = Locator().WaitForDeviceAsync(new LoopBackingFileIdentity(Image), timeout, CancellationToken.None);

        await AdvanceUntilDone(wait).WithTimeout();
        var e = await Assert.ThrowsAsync<DeviceNotFoundException>(() => wait.WithTimeout()).WithTimeout();

        Assert.True(e.Waited >= timeout, $"waited {e.Waited}");
        Assert.True(e.Waited < timeout + TimeSpan.FromSeconds(2), $"waited {e.Waited}, much longer than the timeout");
        Assert.Contains(Image, e.Identity, StringComparison.Ordinal);
        Assert.Contains(Image, e.Message, StringComparison.Ordinal);
        Assert.Contains("10 s", e.Message, StringComparison.Ordinal);
        Assert.Contains("losetup -a", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitForDeviceAsync_AppearsLater_ReturnsOnceItIsThere()
    {
        var wait = Locator().WaitForDeviceAsync(new LoopBackingFileIdentity(Image), TimeSpan.FromSeconds(30), CancellationToken.None);
        await Advance(wait, steps: 3).WithTimeout();

        Assert.False(wait.IsCompleted);
        _tree.AddLoop("loop5", Image);
        await AdvanceUntilDone(wait).WithTimeout();

        Assert.Equal("/dev/loop5", await wait.WithTimeout());
    }

    [Fact]
    public async Task WaitForDeviceAsync_Cancelled_ThrowsOperationCanceled()
    {
        using var cancellation = new CancellationTokenSource();
        var wait = Locator().WaitForDeviceAsync(new LoopBackingFileIdentity(Image), TimeSpan.FromSeconds(30), cancellation.Token);

        await cancellation.CancelAsync().WithTimeout();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WithTimeout()).WithTimeout();
    }

    [Fact]
    public async Task WaitForDeviceAsync_FileAttachedTwice_RefusesToPick()
    {
        _tree.AddLoop("loop1", Image).AddLoop("loop2", Image);

        var e = await Assert.ThrowsAsync<UnsafeOperationException>(
            () => Locator().WaitForDeviceAsync(new LoopBackingFileIdentity(Image), TimeSpan.FromSeconds(5), CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Contains("/dev/loop1", e.Message, StringComparison.Ordinal);
        Assert.Contains("/dev/loop2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitForDeviceAsync_NoSysBlock_KeepsLookingUntilTimeout()
    {
        var wait = Locator().WaitForDeviceAsync(new LoopBackingFileIdentity(Image), TimeSpan.FromSeconds(2), CancellationToken.None);

        await AdvanceUntilDone(wait).WithTimeout();

        await Assert.ThrowsAsync<DeviceNotFoundException>(() => wait.WithTimeout()).WithTimeout();
    }

    [Fact]
    public async Task WaitForDeviceAsync_IdentityWithoutResolver_ThrowsNotSupported()
    {
        var e = await Assert.ThrowsAsync<NotSupportedException>(
            () => Locator().WaitForDeviceAsync(new UnknownIdentity(), TimeSpan.FromSeconds(5), CancellationToken.None).WithTimeout()).WithTimeout();

        Assert.Contains("no device resolver", e.Message, StringComparison.Ordinal);
    }

    private SysfsDeviceLocator Locator() =>
        new([new LoopDeviceResolver(_tree.Root, new VolumeDriver.Host.LoopDevices(_tree.Root))], _clock, NullLogger<SysfsDeviceLocator>.Instance);

    /// <summary>Each time the locator starts a delay, moves the fake clock on by its longest interval, until the wait ends.</summary>
    private async Task AdvanceUntilDone(Task wait)
    {
        await Advance(wait, steps: 1000).WithTimeout();
        Assert.True(wait.IsCompleted, "the locator did not finish while the fake clock advanced");
    }

    /// <summary>Lets the locator start <paramref name="steps"/> delays, moving the clock past each one.</summary>
    private async Task Advance(Task wait, int steps)
    {
        for (var step = 0; step < steps && !wait.IsCompleted; step++)
        {
            await Task.WhenAny(wait, _clock.WaitForTimerAsync(CancellationToken.None)).WithTimeout();
            if (!wait.IsCompleted)
            {
                _time.Advance(SysfsDeviceLocator.MaxInterval);
            }
        }
    }

    private sealed record UnknownIdentity : DiskIdentity
    {
        public override string Describe() => "a disk nobody knows how to find";
    }
}
