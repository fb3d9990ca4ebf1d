using System.Buffers;
using VolumeDriver.Domain;
using VolumeDriver.Errors;

namespace VolumeDriver.Backends.VCloud;

/// <summary>The name of a vCloud independent disk: the volumeName option, or the volume's own name.</summary>
internal static class VCloudDiskName
{
    /// <summary>The option that names the disk apart from the PV (the Python driver's spelling).</summary>
    public const string OptionKey = "volumeName";

    /// <summary>Characters the query service's filter syntax gives a meaning to.</summary>
    public static readonly SearchValues<char> FilterSyntax = SearchValues.Create("(),;\\");

    /// <summary>vCD's limit on an entity name.</summary>
    private const int MaxLength = 128;

    public static string From(DiskRequest request)
    {
        if (!request.Options.TryGetValue(OptionKey, out var name) || name.Length == 0)
        {
            return request.Name.Value;
        }

        string? problem = null;
        if (name.Length > MaxLength)
        {
            problem = $"it is longer than {MaxLength} characters";
        }
        else if (name.Any(char.IsControl))
        {
            problem = "it contains control characters";
        }
        else if (name.AsSpan().IndexOfAny(FilterSyntax) >= 0)
        {
            problem = "it contains one of ( ) , ; \\ which vCloud's query filter cannot carry";
        }
        else if (name.Trim().Length != name.Length)
        {
            problem = "it starts or ends with white space";
        }

        return problem is null
            ? name
            : throw new InvalidOptionException(OptionKey, $"option {OptionKey} '{PrintableText.Of(name)}' is not a usable disk name: {problem}");
    }
}
