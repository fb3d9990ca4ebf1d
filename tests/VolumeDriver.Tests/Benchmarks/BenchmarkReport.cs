using VolumeDriver.Tests.TestSupport;
using Xunit.Abstractions;

namespace VolumeDriver.Tests.Benchmarks;

/// <summary>Where a benchmark's figures go: the test output, and artifacts/&lt;name&gt;.md for the scripts that print it.</summary>
internal static class BenchmarkReport
{
    public static async Task PublishAsync(ITestOutputHelper output, string name, string text)
    {
        output.WriteLine(text);
        var artifacts = Path.Join(VolumeDriver.Tests.Configuration.ConfigurationLoaderTests.FindRepositoryRoot(), "artifacts");
        Directory.CreateDirectory(artifacts);
        await File.WriteAllTextAsync(Path.Join(artifacts, name + ".md"), text).WithTimeout();
    }
}
