using System.Text.Json.Nodes;

namespace Simulators.Kubernetes;

/// <summary>
/// Label and field selectors as list and watch accept them.
/// Labels (k8s.io/apimachinery/pkg/labels/selector.go, and the "Label selectors" section of
/// https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/): equality terms
/// <c>a=b</c>, <c>a==b</c>, <c>a!=b</c> (which also matches objects without the label), and set
/// terms <c>a in (x,y)</c>, <c>a notin (x,y)</c> (also matches objects without the label),
/// <c>a</c> (exists) and <c>!a</c> (does not exist); terms are ANDed.
/// Fields (https://kubernetes.io/docs/concepts/overview/working-with-objects/field-selectors/):
/// only <c>=</c>, <c>==</c> and <c>!=</c>; a field the API server does not index for the kind is
/// refused, as it is: "field label not supported".
/// </summary>
internal sealed class Selector
{
    private readonly List<LabelTerm> _labels;
    private readonly List<(string Path, string Value, bool Equal)> _fields;

    private Selector(List<LabelTerm> labels, List<(string, string, bool)> fields)
    {
        _labels = labels;
        _fields = fields;
    }

    /// <summary>The name a single <c>metadata.name=</c> field term selects, or null (RBAC reads it as the request's name).</summary>
    public string? SelectedName => _fields is [("metadata.name", var name, true)] ? name : null;

    public static bool TryParse(KubernetesResource resource, string? labelSelector, string? fieldSelector, out Selector selector, out string problem)
    {
        selector = new Selector([], []);
        problem = "";
        foreach (var term in LabelTerms(labelSelector ?? ""))
        {
            if (LabelTerm.TryParse(term) is not { } parsed)
            {
                problem = $"unable to parse requirement: {term}";
                return false;
            }

            selector._labels.Add(parsed);
        }

        foreach (var term in string.IsNullOrWhiteSpace(fieldSelector) ? [] : fieldSelector.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (SplitEquality(term) is not { } pair)
            {
                problem = $"invalid selector: '{fieldSelector}'; can't understand '{term}'";
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
        if (!_labels.All(term => term.Matches((string?)labels?[term.Key])))
        {
            return false;
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

    /// <summary>Splits at commas outside parentheses: "a in (x,y),b" is two terms.</summary>
    private static IEnumerable<string> LabelTerms(string selector)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i <= selector.Length; i++)
        {
            if (i == selector.Length || (selector[i] == ',' && depth == 0))
            {
                var term = selector[start..i].Trim();
                if (term.Length > 0)
                {
                    yield return term;
                }

                start = i + 1;
            }
            else if (selector[i] == '(')
            {
                depth++;
            }
            else if (selector[i] == ')')
            {
                depth--;
            }
        }
    }

    private static (string Key, string Value, bool Equal)? SplitEquality(string term)
    {
        var notEqual = term.IndexOf("!=", StringComparison.Ordinal);
        if (notEqual > 0)
        {
            return (term[..notEqual].Trim(), term[(notEqual + 2)..].Trim(), false);
        }

        var equal = term.IndexOf('=', StringComparison.Ordinal);
        if (equal <= 0)
        {
            return null;
        }

        var value = term[(equal + 1)..];
        return (term[..equal].Trim(), (value.StartsWith('=') ? value[1..] : value).Trim(), true);
    }

    private enum Operator
    {
        Equals,
        NotEquals,
        In,
        NotIn,
        Exists,
        DoesNotExist,
    }

    private sealed record LabelTerm(string Key, Operator Operator, IReadOnlySet<string> Values)
    {
        public static LabelTerm? TryParse(string term)
        {
            if (term.StartsWith('!'))
            {
                var key = term[1..].Trim();
                return IsKey(key) ? new LabelTerm(key, Operator.DoesNotExist, new HashSet<string>()) : null;
            }

            foreach (var (word, op) in new[] { (" notin ", Operator.NotIn), (" in ", Operator.In) })
            {
                var at = term.IndexOf(word, StringComparison.Ordinal);
                if (at > 0)
                {
                    var key = term[..at].Trim();
                    var set = term[(at + word.Length)..].Trim();
                    if (!IsKey(key) || !set.StartsWith('(') || !set.EndsWith(')'))
                    {
                        return null;
                    }

                    var values = set[1..^1].Split(',', StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
                    return values.Count > 0 && !values.Contains("") ? new LabelTerm(key, op, values) : null;
                }
            }

            if (SplitEquality(term) is { } pair)
            {
                return IsKey(pair.Key) ? new LabelTerm(pair.Key, pair.Equal ? Operator.Equals : Operator.NotEquals, new HashSet<string> { pair.Value }) : null;
            }

            return IsKey(term) ? new LabelTerm(term, Operator.Exists, new HashSet<string>()) : null;
        }

        public bool Matches(string? actual) => Operator switch
        {
            Operator.Equals or Operator.In => actual is not null && Values.Contains(actual),
            Operator.NotEquals or Operator.NotIn => actual is null || !Values.Contains(actual),
            Operator.Exists => actual is not null,
            _ => actual is null,
        };

        private static bool IsKey(string key) =>
            key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/');
    }
}
