using System.Diagnostics.CodeAnalysis;
using VolumeDriver.Errors;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace VolumeDriver.Configuration;

/// <summary>
/// One mapping of the configuration file (the top level or a section such as <c>locking</c>) while
/// it is mapped by hand into records. It checks on creation that every key is known, and it builds
/// every <see cref="ConfigurationException"/> so that all messages name the file, the dotted key and
/// the line. It never puts the value of an unknown key into a message.
/// </summary>
internal sealed class YamlSection
{
    /// <summary>Values longer than this are shortened in messages.</summary>
    private const int MaxEchoLength = 48;

    private readonly string _file;
    private readonly string? _path;
    private readonly YamlMappingNode? _mapping;

    private YamlSection(string file, string? path, YamlMappingNode? mapping)
    {
        _file = file;
        _path = path;
        _mapping = mapping;
    }

    /// <summary>
    /// Wraps <paramref name="node"/>, which may be absent or a YAML null (then every key takes its
    /// default), and rejects keys outside <paramref name="allowedKeys"/>.
    /// </summary>
    /// <param name="path">The dotted path of this section, or null for the top level.</param>
    public static YamlSection Create(string file, string? path, YamlNode? node, IReadOnlyList<string> allowedKeys)
    {
        if (node is null || IsNull(node))
        {
            return new YamlSection(file, path, null);
        }

        if (node is not YamlMappingNode mapping)
        {
            var where = path is null ? "The top level of the file" : "This section";
            throw Error(
                file,
                path,
                node,
                $"{where} must be a mapping of keys ({string.Join(", ", allowedKeys)}), not {Describe(node)}.");
        }

        foreach (var keyNode in mapping.Children.Keys)
        {
            if (keyNode is not YamlScalarNode { Value: { Length: > 0 } key })
            {
                throw Error(file, path, keyNode, $"Keys must be plain names, not {Describe(keyNode)}. Allowed keys {Under(path)}: {string.Join(", ", allowedKeys)}.");
            }

            if (!allowedKeys.Contains(key, StringComparer.Ordinal))
            {
                // Name the key only: its value may be a secret pasted into the wrong file.
                var fullKey = Join(path, key);
                var hint = allowedKeys.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase));
                var spelling = hint is null ? string.Empty : $" Keys are case-sensitive: did you mean '{Join(path, hint)}'?";
                throw Error(
                    file,
                    fullKey,
                    keyNode,
                    $"Unknown key '{Shorten(fullKey)}'.{spelling} Allowed keys {Under(path)}: {string.Join(", ", allowedKeys)}.");
            }
        }

        return new YamlSection(file, path, mapping);
    }

    /// <summary>The dotted path of <paramref name="key"/> in this section.</summary>
    public string PathOf(string key) => Join(_path, key);

    /// <summary>The dotted path of this section (vcloud.etcd), or null for the top level.</summary>
    public string? Path => _path;

    /// <summary>
    /// The scalar at <paramref name="key"/>, or false when the key is absent or null (use the default).
    /// A sequence or mapping where a single value belongs is an error.
    /// </summary>
    public bool TryGetScalar(string key, [NotNullWhen(true)] out YamlScalarNode? scalar)
    {
        scalar = null;
        var node = Find(key);
        if (node is null || IsNull(node))
        {
            return false;
        }

        if (node is not YamlScalarNode found)
        {
            throw Error(key, node, $"Expected a single value, not {Describe(node)}.");
        }

        scalar = found;
        return true;
    }

    /// <summary>True when <paramref name="key"/> is present with a value that is not null.</summary>
    public bool Has(string key) => Find(key) is { } node && !IsNull(node);

    /// <summary>
    /// A yes/no value: true/false in any case (the Python driver's files say <c>False</c>), yes/no, on/off.
    /// </summary>
    public bool ReadBoolean(string key, bool defaultValue)
    {
        if (!TryGetScalar(key, out var node))
        {
            return defaultValue;
        }

        return (node.Value ?? string.Empty).ToLowerInvariant() switch
        {
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            _ => throw Error(key, node, $"{Quote(node.Value ?? string.Empty)} is not a yes/no value. Write true or false."),
        };
    }

    /// <summary>A mapping of plain names to plain values (such as node name → VM name); absent gives an empty map.</summary>
    public IReadOnlyDictionary<string, string> ReadStringMap(string key)
    {
        var node = Find(key);
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is null || IsNull(node))
        {
            return map;
        }

        if (node is not YamlMappingNode mapping)
        {
            throw Error(key, node, $"Expected a mapping of names to values, not {Describe(node)}.");
        }

        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { Length: > 0 } name } || valueNode is not YamlScalarNode { Value: { Length: > 0 } value })
            {
                throw Error(key, keyNode, "Every entry must be a plain name followed by a plain, non-empty value.");
            }

            map[name] = value;
        }

        return map;
    }

    /// <summary>The nested section at <paramref name="key"/>; an absent or null key gives an empty section.</summary>
    public YamlSection Section(string key, IReadOnlyList<string> allowedKeys)
    {
        return Create(_file, PathOf(key), Find(key), allowedKeys);
    }

    /// <summary>An exception about a required key that is absent or empty.</summary>
    public ConfigurationException Missing(string key, string problem) =>
        new(_file, PathOf(key), $"Configuration file '{_file}': key '{Shorten(PathOf(key))}' is missing or empty; {problem}.");

    /// <summary>An exception about the value of <paramref name="key"/> in this section.</summary>
    public ConfigurationException Error(string key, YamlNode node, string problem) => Error(_file, PathOf(key), node, problem);

    /// <summary>A value of a known key, quoted and shortened for a message; a URL's userinfo is never repeated.</summary>
    public static string Quote(string value) => "'" + Shorten(UrlUserInfo.Hide(value)) + "'";

    private static ConfigurationException Error(string file, string? dottedKey, YamlNode node, string problem)
    {
        var key = dottedKey is null ? string.Empty : $", key '{Shorten(dottedKey)}'";
        return new ConfigurationException(file, dottedKey, $"Configuration file '{file}'{key} ({Position(node.Start)}): {problem}");
    }

    /// <summary>
    /// The value under <paramref name="key"/>, compared by text alone: a lookup by node would also
    /// compare tags, and then a tagged key (<c>!!str backend: loop</c>) would be silently ignored.
    /// </summary>
    private YamlNode? Find(string key)
    {
        if (_mapping is null)
        {
            return null;
        }

        foreach (var (keyNode, value) in _mapping.Children)
        {
            if (keyNode is YamlScalarNode { Value: var text } && string.Equals(text, key, StringComparison.Ordinal))
            {
                return value;
            }
        }

        return null;
    }

    private static string Position(Mark mark) => $"line {mark.Line}, column {mark.Column}";

    private static string Under(string? path) => path is null ? "at the top level" : $"under '{path}'";

    private static string Join(string? path, string key) => path is null ? key : path + "." + key;

    private static string Shorten(string value)
    {
        var printable = string.Concat(value.Select(c => char.IsControl(c) ? '?' : c));
        return printable.Length <= MaxEchoLength ? printable : string.Concat(printable.AsSpan(0, MaxEchoLength), "…");
    }

    private static string Describe(YamlNode node) => node switch
    {
        YamlSequenceNode => "a sequence (list)",
        YamlMappingNode => "a mapping",
        YamlScalarNode => "a single value",
        _ => "a " + node.NodeType.ToString().ToLowerInvariant(),
    };

    /// <summary>A plain empty, <c>~</c> or <c>null</c> scalar: YAML's null, which means "use the default".</summary>
    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } scalar
        && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";
}
