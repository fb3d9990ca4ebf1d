using System.Globalization;

namespace VolumeDriver.Backends.VCloud;

/// <summary>A vCloud API version such as 32.0 or 37.2, compared numerically (36.0 &gt; 5.5).</summary>
internal readonly record struct VCloudApiVersion(int Major, int Minor) : IComparable<VCloudApiVersion>
{
    /// <summary>From this version disk sizes are <c>sizeMb</c> and the CloudAPI login exists.</summary>
    public static readonly VCloudApiVersion SizeInMegabytes = new(33, 0);

    /// <summary>From this version disks carry the <c>uuid</c> the guest sees as the WWN.</summary>
    public static readonly VCloudApiVersion DiskUuid = new(36, 0);

    /// <summary>The newest version this backend has been written against.</summary>
    public static readonly VCloudApiVersion NewestKnown = new(38, 1);

    public static bool TryParse(string? text, out VCloudApiVersion version)
    {
        version = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var parts = text.Trim().Split('.');
        if (parts.Length is < 1 or > 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            || (parts.Length == 2 ? !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minor) : (minor = 0) != 0))
        {
            return false;
        }

        version = new VCloudApiVersion(major, minor);
        return true;
    }

    public int CompareTo(VCloudApiVersion other) => Major != other.Major ? Major.CompareTo(other.Major) : Minor.CompareTo(other.Minor);

    public static bool operator <(VCloudApiVersion left, VCloudApiVersion right) => left.CompareTo(right) < 0;

    public static bool operator >(VCloudApiVersion left, VCloudApiVersion right) => left.CompareTo(right) > 0;

    public static bool operator <=(VCloudApiVersion left, VCloudApiVersion right) => left.CompareTo(right) <= 0;

    public static bool operator >=(VCloudApiVersion left, VCloudApiVersion right) => left.CompareTo(right) >= 0;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor}");
}
