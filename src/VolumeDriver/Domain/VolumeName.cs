using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace VolumeDriver.Domain;

/// <summary>
/// The name of a volume (a PV or inline volume name, or a disk name an operator gives). It becomes a
/// file name, a lock name and a cloud resource name, so it is held to a conservative shape:
/// 1 to 253 characters of letters, digits, '.', '_' and '-', starting and ending with a letter or
/// digit, and never containing "..".
/// </summary>
internal readonly partial record struct VolumeName
{
    public const int MaxLength = 253;

    private VolumeName(string value) => Value = value;

    public string Value { get; }

    public static bool TryCreate(string? candidate, [NotNullWhen(true)] out VolumeName? name, [NotNullWhen(false)] out string? problem)
    {
        name = null;
        if (string.IsNullOrEmpty(candidate))
        {
            problem = "it is empty";
            return false;
        }

        if (candidate.Length > MaxLength)
        {
            problem = $"it is {candidate.Length} characters long; the limit is {MaxLength}";
            return false;
        }

        if (candidate.Contains("..", StringComparison.Ordinal))
        {
            problem = "it contains \"..\"";
            return false;
        }

        if (!Shape().IsMatch(candidate))
        {
            problem = "only letters, digits, '.', '_' and '-' are allowed, and it must start and end with a letter or digit";
            return false;
        }

        problem = null;
        name = new VolumeName(candidate);
        return true;
    }

    public override string ToString() => Value;

    [GeneratedRegex("^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
