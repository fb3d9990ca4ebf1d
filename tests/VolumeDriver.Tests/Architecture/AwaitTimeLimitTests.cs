using VolumeDriver.Tests.Configuration;

namespace VolumeDriver.Tests.Architecture;

/// <summary>
/// Every await in the tests has a time limit, so a hang fails its test with a message instead of
/// stalling the run until the runner's hang limit. xunit v2's <c>[Fact(Timeout = …)]</c> is no
/// substitute: it is measured from when the test was queued, not when it ran, so under parallel
/// collections it is wildly inaccurate (xunit/xunit#864, #1728).
/// </summary>
public sealed class AwaitTimeLimitTests
{
    private static readonly string TestRoot = Path.Join(ConfigurationLoaderTests.FindRepositoryRoot(), "tests", "VolumeDriver.Tests");

    /// <summary>
    /// Folders other work is creating or editing now, whose awaits that work limits itself; not yet
    /// held to the check. Drop them from this list once that work has merged.
    /// </summary>
    private static readonly string[] NotYetChecked = [];

    [Fact]
    public void EveryAwaitInTheTests_HasATimeLimit()
    {
        var files = Directory.EnumerateFiles(TestRoot, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(TestRoot, f))
            .Where(f => !f.StartsWith("bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal) && !f.StartsWith("obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .Where(f => !NotYetChecked.Any(folder => f.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
            .ToList();

        var unlimited = files
            .SelectMany(f => AwaitTimeLimits.Unlimited(File.ReadAllText(Path.Join(TestRoot, f))).Select(a => $"{f}:{a.Line}: {a.Await}"))
            .ToList();

        Assert.True(files.Count > 100, $"only {files.Count} test files found under {TestRoot}");
        Assert.True(unlimited.Count == 0, $"{unlimited.Count} awaits without a time limit (end them in .WithTimeout()):\n" + string.Join('\n', unlimited.Take(200)));
    }

    [Theory]
    [InlineData("await backend.AttachAsync(request, CancellationToken.None).WithTimeout();")]
    [InlineData("await backend.AttachAsync(request, CancellationToken.None).WithTimeout(TimeSpan.FromMinutes(5)).ConfigureAwait(false);")]
    [InlineData("await (x.RunAsync().WithTimeout());")]
    [InlineData("await Task.WhenAll(workers).WaitAsync(TimeSpan.FromMinutes(8));")]
    [InlineData("await Task.Delay(20, token);")]
    [InlineData("await Task.Yield();")]
    [InlineData("await using var server = await Server.StartAsync().WithTimeout();")]
    public void LimitedAwaits_AreAccepted(string statement) =>
        Assert.Empty(AwaitTimeLimits.Unlimited(InAMethod(statement)));

    [Theory]
    [InlineData("await backend.AttachAsync(request, CancellationToken.None);")]
    [InlineData("await backend.AttachAsync(request, CancellationToken.None).ConfigureAwait(false);")]
    [InlineData("var e = await Assert.ThrowsAsync<Exception>(() => x.RunAsync().WithTimeout());")]
    [InlineData("await semaphore.WaitAsync(token);")]
    [InlineData("await Task.Delay(Timeout.InfiniteTimeSpan, token);")]
    [InlineData("await pending;")]
    [InlineData("await using var server = await Server.StartAsync();")]
    public void UnlimitedAwaits_AreFound(string statement) =>
        Assert.Single(AwaitTimeLimits.Unlimited(InAMethod(statement)));

    private static string InAMethod(string statement) => "class C { async Task M() { " + statement + " } }";
}
