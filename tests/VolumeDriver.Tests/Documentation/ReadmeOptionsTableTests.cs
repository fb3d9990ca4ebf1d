using System.Text.RegularExpressions;
using VolumeDriver.Configuration;
using VolumeDriver.FlexVolume;
using VolumeDriver.Tests.Configuration;

namespace VolumeDriver.Tests.Documentation;

/// <summary>
/// The README's table of volume options is what an operator writes a PV from: it must name every key
/// the driver reads and no key it refuses. Checked against the parser's common keys and each
/// backend module's keys, so a key added to a module fails here until the README names it.
/// </summary>
public sealed partial class ReadmeOptionsTableTests
{
    private const string Header = "| option | backend | meaning |";

    [Fact]
    public void CommonRows_AreTheKeysEveryBackendReads()
    {
        var documented = DocumentedKeys();

        Assert.Equal(FlexOptionsParser.CommonKeys.Order(StringComparer.Ordinal), documented.GetValueOrDefault("all", []).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(nameof(BackendKind.Loop))]
    [InlineData(nameof(BackendKind.Azure))]
    [InlineData(nameof(BackendKind.VCloud))]
    public void BackendRows_AreTheKeysItsModuleReads(string backendName)
    {
        var backend = Enum.Parse<BackendKind>(backendName);
        var module = Composition.ModuleFor(DriverConfiguration.Defaults with { Backend = backend });
        var documented = DocumentedKeys().GetValueOrDefault(backend.ToString().ToLowerInvariant(), []);

        Assert.Equal(module.OptionKeys.Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void EveryBackendInTheTable_IsOne()
    {
        var known = Enum.GetValues<BackendKind>().Select(b => b.ToString().ToLowerInvariant()).Append("all");

        Assert.Empty(DocumentedKeys().Keys.Except(known));
    }

    /// <summary>The table's rows as backend → the keys its first column names in backquotes (a row may name a key and its older spelling).</summary>
    private static Dictionary<string, List<string>> DocumentedKeys()
    {
        var lines = File.ReadAllLines(Path.Join(ConfigurationLoaderTests.FindRepositoryRoot(), "README.md"));
        var start = Array.IndexOf(lines, Header);
        Assert.True(start >= 0, $"README.md has no table headed '{Header}'");

        var keys = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var row in lines.Skip(start + 2).TakeWhile(l => l.StartsWith('|')))
        {
            var cells = row.Split('|');
            var backend = cells[2].Trim();
            var names = Quoted().Matches(cells[1]).Select(m => m.Groups[1].Value);
            if (!keys.TryGetValue(backend, out var list))
            {
                keys[backend] = list = [];
            }

            list.AddRange(names);
        }

        return keys;
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Quoted();
}
