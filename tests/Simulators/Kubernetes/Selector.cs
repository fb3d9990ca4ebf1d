using System.Text.Json.Nodes;

namespace Simulators.Kubernetes;

/// <summary>
/// Equality-based label and field selectors (<c>a=b</c>, <c>a==b</c>, <c>a!=b</c>, and for labels a
/// bare key for existence), as list and watch accept them. A field the API server does not index
/// for the kind is refused, as it is: "field label not supported".
/// </summary>
internal sealed class Selector
{
    private readonly List<(string Key, string? Value, bool Equal)> _labels;
    private readonly List<(string Path, string Value, bool Equal)> _fields;

    private Selector(List<(string, string?, bool)> labels, List<(string, string, bool)> fields)
    {
        _labels = labels;
        _fields = fields;
    }

    public static bool TryParse(KubernetesResource resource, string? labelSelector, string? fieldSelector, out Selector selector, out string problem)
    {
        selector = new Selector([], []);
        problem = "";
        foreach (var term in Terms(labelSelector))
        {
            if (Split(term) is { } pair)
            {
                selector._labels.Add((pair.Key, pair.Value, pair.Equal));
            }
            else
            {
                selector._labels.Add((term, null, true));
            }
        }

        foreach (var term in Terms(fieldSelector))
        {
            if (Split(term) is not { } pair)
            {
                problem = $"invalid field selector: '{term}'";
                return false;
            }

            if (!resource.SelectableFields.Contains(pair.Key))
            {
                problem = $"field label not supported: {pair.Key}";
                return false;
            }

            selector._fields.Add((pair.Key, pair.Value, pair.Equal));
        }

        return true;
    }

    public bool Matches(JsonObject value)
    {
        var labels = value["metadata"]?["labels"] as JsonObject;
        foreach (var (key, expected, equal) in _labels)
        {
            var actual = (string?)labels?[key];
            var matches = expected is null ? actual is not null : actual == expected;
            if (matches != equal)
            {
                return false;
            }
        }

        foreach (var (path, expected, equal) in _fields)
        {
            JsonNode? node = value;
            foreach (var part in path.Split('.'))
            {
                node = node?[part];
            }

            var actual = node is JsonValue v ? v.ToString() : "";
            if ((actual == expected) != equal)
            {
                return false;
            }
        }

        return true;
    }

    private static string[] Terms(string? selector) =>
        string.IsNullOrWhiteSpace(selector) ? [] : selector.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static (string Key, string Value, bool Equal)? Split(string term)
    {
        var notEqual = term.IndexOf("!=", StringComparison.Ordinal);
        if (notEqual > 0)
        {
            return (term[..notEqual], term[(notEqual + 2)..], false);
        }

        var equal = term.IndexOf('=', StringComparison.Ordinal);
        if (equal <= 0)
        {
            return null;
        }

        var value = term[(equal + 1)..];
        return (term[..equal], value.StartsWith('=') ? value[1..] : value, true);
    }
}
