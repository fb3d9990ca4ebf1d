using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace VolumeDriver.Domain;

/// <summary>
/// A FlexVolume driver name as kubelet's prober sees it: the plugin directory <c>vendor~name</c>
/// holds the executable <c>name</c>, and the driver is called <c>vendor/name</c> (the PV's
/// <c>flexVolume.driver</c>). kubelet refuses a driver whose name fails Kubernetes'
/// IsQualifiedName: the vendor is a DNS-1123 subdomain (lower case, at most 253 characters) and the
/// name is at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit.
/// </summary>
internal readonly partial record struct FlexDriverName
{
    public const int MaxVendorLength = 253;
    public const int MaxNameLength = 63;

    private FlexDriverName(string vendor, string name)
    {
        Vendor = vendor;
        Name = name;
    }

    /// <summary>The prefix: a DNS subdomain such as <c>example.com</c>.</summary>
    public string Vendor { get; }

    /// <summary>The driver's own name, which is also the executable's file name.</summary>
    public string Name { get; }

    /// <summary>The directory kubelet probes: <c>vendor~name</c>.</summary>
    public string DirectoryName => Vendor + "~" + Name;

    /// <summary>The name PVs use in <c>flexVolume.driver</c>: <c>vendor/name</c>.</summary>
    public string QualifiedName => Vendor + "/" + Name;

    /// <summary>
    /// Parses <c>vendor~name</c> (the directory spelling) or <c>vendor/name</c> (the PV's spelling).
    /// Exactly one separator is allowed: two would give kubelet the invalid name <c>a/b/c</c>.
    /// </summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out FlexDriverName? driver, [NotNullWhen(false)] out string? problem)
    {
        driver = null;
        if (string.IsNullOrEmpty(text))
        {
            problem = "it is empty; write it as VENDOR~NAME, for example example.com~volume-driver";
            return false;
        }

        var separators = text.Count(c => c is '~' or '/');
        if (separators != 1)
        {
            problem = separators == 0
                ? "it has no '~': write it as VENDOR~NAME, for example example.com~volume-driver"
                : "it must hold exactly one '~' between the vendor and the name (kubelet turns each '~' into '/', and a driver name has at most one '/')";
            return false;
        }

        var split = text.IndexOfAny(['~', '/']);
        var vendor = text[..split];
        var name = text[(split + 1)..];
        if (!TryCheckVendor(vendor, out problem) || !TryCheckName(name, out problem))
        {
            return false;
        }

        driver = new FlexDriverName(vendor, name);
        return true;
    }

    /// <summary>The executable's path under a plugin directory: <c>dir/vendor~name/name</c>.</summary>
    public string ExecutablePath(string pluginDirectory) => Path.Join(pluginDirectory, DirectoryName, Name);

    public override string ToString() => QualifiedName;

    private static bool TryCheckVendor(string vendor, [NotNullWhen(false)] out string? problem)
    {
        if (vendor.Length == 0)
        {
            problem = "the vendor (before '~') is empty; kubelet needs a DNS subdomain there, for example example.com";
        }
        else if (vendor.Length > MaxVendorLength)
        {
            problem = $"the vendor is {vendor.Length} characters long; the limit is {MaxVendorLength}";
        }
        else if (!Subdomain().IsMatch(vendor))
        {
            problem = $"the vendor '{Printable(vendor)}' is not a DNS subdomain: lower-case letters, digits, '-' and '.', each label starting and ending with a letter or digit";
        }
        else
        {
            problem = null;
        }

        return problem is null;
    }

    private static bool TryCheckName(string name, [NotNullWhen(false)] out string? problem)
    {
        if (name.Length == 0)
        {
            problem = "the name (after '~') is empty";
        }
        else if (name.Length > MaxNameLength)
        {
            problem = $"the name is {name.Length} characters long; kubelet allows at most {MaxNameLength}";
        }
        else if (!QualifiedNamePart().IsMatch(name))
        {
            problem = $"the name '{Printable(name)}' may hold only letters, digits, '-', '_' and '.', and must start and end with a letter or digit";
        }
        else
        {
            problem = null;
        }

        return problem is null;
    }

    private static string Printable(string value) => string.Concat(value.Select(c => char.IsControl(c) ? '?' : c));

    [GeneratedRegex("^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Subdomain();

    [GeneratedRegex("^[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex QualifiedNamePart();
}
