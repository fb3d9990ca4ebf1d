using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Simulators;

/// <summary>
/// Counts requests by method and path template (ids replaced by {id}), so tests and benchmarks can
/// say "isattached made 2 requests" without depending on ids.
/// </summary>
public sealed partial class RequestCounter
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    public void Count(string method, string path) => _counts.AddOrUpdate(Template(method, path), 1, (_, n) => n + 1);

    public IReadOnlyDictionary<string, int> Snapshot() => new Dictionary<string, int>(_counts, StringComparer.Ordinal);

    public int Total => _counts.Values.Sum();

    public void Reset() => _counts.Clear();

    public static string Template(string method, string path) => method + " " + IdPattern().Replace(path, "{id}");

    [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex IdPattern();
}
