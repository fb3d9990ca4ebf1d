using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace VolumeDriver.Domain;

/// <summary>
/// A Kubernetes node name (the Node object's metadata.name, which kubelet passes to attach, isattached
/// and detach). Node names are DNS subdomains; they are compared case-insensitively because a
/// hostname may be spelled in upper case where the Node object is not.
/// </summary>
internal readonly partial record struct NodeName
{
    public const int MaxLength = 253;

    private NodeName(string value) => Value = value;

    public string Value { get; }

    public static bool TryCreate(string? candidate, [NotNullWhen(true)] out NodeName? name, [NotNullWhen(false)] out string? problem)
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

        if (!Shape().IsMatch(candidate))
        {
            problem = "a node name is a DNS subdomain: letters, digits, '-' and '.', starting and ending with a letter or digit";
            return false;
        }

        problem = null;
        name = new NodeName(candidate);
        return true;
    }

    public bool Matches(NodeName other) => string.Equals(Value, other.Value, StringComparison.OrdinalIgnoreCase);

    public override string ToString() => Value;

    [GeneratedRegex("^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
