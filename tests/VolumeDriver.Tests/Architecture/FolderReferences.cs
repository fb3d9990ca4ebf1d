using System.Text;
using System.Text.RegularExpressions;

namespace VolumeDriver.Tests.Architecture;

/// <summary>One reference from a source file to a top-level folder of src/VolumeDriver, with the text that makes it.</summary>
internal sealed record FolderReference(string Folder, string Text);

/// <summary>
/// Reads which top-level folders (namespaces <c>VolumeDriver.&lt;Folder&gt;</c>) a C# file refers to:
/// its <c>using</c> directives, fully qualified <c>VolumeDriver.X.</c> names, and the partly qualified
/// names C# resolves through the enclosing namespace (<c>FlexVolume.OptionKeys.Size</c> written inside
/// <c>namespace VolumeDriver.Backends.Azure</c>). Comments are skipped (a cref documents, it does
/// not depend); string literals are kept, because an interpolated string's holes are code.
/// </summary>
internal static partial class FolderReferences
{
    /// <summary>The folder of the composition root's files (Program.cs, Composition.cs), which are in namespace VolumeDriver.</summary>
    public const string Root = "(root)";

    public static IReadOnlyList<FolderReference> In(string source, IReadOnlyDictionary<string, IReadOnlySet<string>> typesByFolder)
    {
        var code = WithoutComments(source);
        var found = new List<FolderReference>();
        foreach (Match m in UsingDirective().Matches(code))
        {
            found.Add(new FolderReference(m.Groups["folder"].Value, m.Value.Trim()));
        }

        foreach (Match m in FullyQualified().Matches(code))
        {
            if (!IsNamespaceDeclaration(code, m.Index))
            {
                found.Add(new FolderReference(m.Groups["folder"].Value, m.Value));
            }
        }

        foreach (Match m in PartlyQualified().Matches(code))
        {
            var folder = m.Groups["folder"].Value;
            var segments = m.Groups["rest"].Value.Split('.', StringSplitOptions.RemoveEmptyEntries);
            if (typesByFolder.TryGetValue(folder, out var types) && segments.Any(types.Contains) && !IsUsingDirectiveLine(code, m.Index))
            {
                found.Add(new FolderReference(folder, m.Value));
            }
        }

        foreach (Match m in RootType().Matches(code))
        {
            if (typesByFolder.TryGetValue(Root, out var rootTypes) && rootTypes.Contains(m.Groups["type"].Value))
            {
                found.Add(new FolderReference(Root, m.Value));
            }
        }

        return found;
    }

    /// <summary>The top-level types a file declares (nested types are reached through them).</summary>
    public static IEnumerable<string> DeclaredTypes(string source) =>
        TypeDeclaration().Matches(WithoutComments(source)).Select(m => m.Groups["name"].Value);

    /// <summary>The types a file declares at the top level (at the start of a line, under a file-scoped namespace).</summary>
    public static IEnumerable<string> TopLevelTypes(string source) =>
        TopLevelTypeDeclaration().Matches(WithoutComments(source)).Select(m => m.Groups["name"].Value);

    /// <summary>The namespace a file declares (file-scoped or block), or null.</summary>
    public static string? DeclaredNamespace(string source) =>
        NamespaceDeclaration().Match(WithoutComments(source)) is { Success: true } m ? m.Groups["name"].Value : null;

    /// <summary>The source with // and /* */ comments blanked out; strings (regular, verbatim, raw) and char literals kept.</summary>
    public static string WithoutComments(string source)
    {
        var text = new StringBuilder(source.Length);
        var i = 0;
        while (i < source.Length)
        {
            var c = source[i];
            var next = i + 1 < source.Length ? source[i + 1] : '\0';
            if (c == '/' && next == '/')
            {
                while (i < source.Length && source[i] != '\n')
                {
                    i++;
                }
            }
            else if (c == '/' && next == '*')
            {
                var end = source.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? source.Length : end + 2;
                text.Append(' ');
            }
            else if (c == '"' && source.AsSpan(i).StartsWith("\"\"\""))
            {
                var quotes = 0;
                while (i + quotes < source.Length && source[i + quotes] == '"')
                {
                    quotes++;
                }

                var end = source.IndexOf(new string('"', quotes), i + quotes, StringComparison.Ordinal);
                var stop = end < 0 ? source.Length : end + quotes;
                text.Append(source, i, stop - i);
                i = stop;
            }
            else if (c == '"' || c == '\'')
            {
                var verbatim = i > 0 && (source[i - 1] == '@' || (i > 1 && source[i - 1] == '$' && source[i - 2] == '@'));
                var start = i++;
                while (i < source.Length)
                {
                    if (!verbatim && source[i] == '\\')
                    {
                        i += 2;
                        continue;
                    }

                    if (source[i] == c)
                    {
                        if (verbatim && i + 1 < source.Length && source[i + 1] == c)
                        {
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    i++;
                }

                text.Append(source, start, Math.Min(i, source.Length) - start);
            }
            else
            {
                text.Append(c);
                i++;
            }
        }

        return text.ToString();
    }

    private static bool IsNamespaceDeclaration(string code, int index) => LineAt(code, index).TrimStart().StartsWith("namespace ", StringComparison.Ordinal);

    private static bool IsUsingDirectiveLine(string code, int index) => LineAt(code, index).TrimStart().StartsWith("using ", StringComparison.Ordinal) && LineAt(code, index).TrimEnd().EndsWith(';');

    private static string LineAt(string code, int index)
    {
        var start = code.LastIndexOf('\n', Math.Max(index - 1, 0)) + 1;
        var end = code.IndexOf('\n', index);
        return code[start..(end < 0 ? code.Length : end)];
    }

    [GeneratedRegex(@"^\s*(?:global\s+)?using\s+(?:static\s+)?(?:\w+\s*=\s*)?(?:global::)?VolumeDriver\.(?<folder>\w+)[\w.]*\s*;", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"(?<![\w.])(?:global::)?VolumeDriver\.(?<folder>\w+)\.\w+")]
    private static partial Regex FullyQualified();

    [GeneratedRegex(@"(?<![\w.:])(?<folder>Backends|Cli|CloudCalls|Configuration|Diagnostics|Domain|Errors|FlexVolume|Host|Installation|Locking|Logging|Modules|Node)(?<rest>(?:\.[A-Za-z_]\w*)+)")]
    private static partial Regex PartlyQualified();

    [GeneratedRegex(@"(?<![\w.])(?<type>Composition|Program)\.\w+")]
    private static partial Regex RootType();

    [GeneratedRegex(@"^(?:\s*\[[^\]]*\]\s*)*\s*(?:(?:internal|public|private|protected|file|static|sealed|abstract|partial|readonly|ref|unsafe)\s+)*(?:class|record\s+struct|record\s+class|record|struct|interface|enum)\s+(?<name>[A-Za-z_]\w*)", RegexOptions.Multiline)]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"^(?:(?:internal|public|file|static|sealed|abstract|partial|readonly)\s+)*(?:class|record\s+struct|record\s+class|record|struct|interface|enum)\s+(?<name>[A-Za-z_]\w*)", RegexOptions.Multiline)]
    private static partial Regex TopLevelTypeDeclaration();

    [GeneratedRegex(@"^\s*namespace\s+(?<name>[\w.]+)", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();
}
