using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace VolumeDriver.Host;

/// <summary>
/// Parses /proc/self/mountinfo (proc(5)). Each line is
/// <c>id parent major:minor root mountpoint options [optional fields...] - fstype source superoptions</c>,
/// with space, tab, newline and backslash in paths written as octal escapes (\040 \011 \012 \134).
/// A line that does not have that shape is skipped rather than failing the whole read: one odd
/// line must not hide every other mount.
/// </summary>
internal static class MountInfoParser
{
    private const string Separator = "-";

    public static IReadOnlyList<MountEntry> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var entries = new List<MountEntry>();
        foreach (var line in text.Split('\n'))
        {
            if (TryParseLine(line, out var entry))
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    /// <summary>Parses one line; false when it does not have the mountinfo shape.</summary>
    public static bool TryParseLine(string line, [NotNullWhen(true)] out MountEntry? entry)
    {
        entry = null;

        // Split on single spaces and keep empty fields: the fields are positional, and an empty
        // source is printed as an empty field between two spaces.
        var fields = line.TrimEnd('\r').Split(' ');
        if (fields.Length < 10)
        {
            return false;
        }

        var separator = Array.IndexOf(fields, Separator, 6);
        if (separator < 0 || fields.Length - separator - 1 < 3)
        {
            return false;
        }

        if (!int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var mountId)
            || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parentId)
            || !TryParseDeviceNumber(fields[2], out var major, out var minor))
        {
            return false;
        }

        var root = Unescape(fields[3]);
        var mountPoint = Unescape(fields[4]);
        if (root.Length == 0 || mountPoint.Length == 0)
        {
            return false;
        }

        entry = new MountEntry(
            MountId: mountId,
            ParentId: parentId,
            Major: major,
            Minor: minor,
            Root: root,
            MountPoint: mountPoint,
            MountOptions: fields[5],
            FsType: Unescape(fields[separator + 1]),
            Source: Unescape(fields[separator + 2]),
            SuperOptions: Unescape(fields[separator + 3]));
        return true;
    }

    /// <summary>Parses "major:minor" as the kernel prints it (mountinfo field 3, sysfs <c>dev</c> files).</summary>
    public static bool TryParseDeviceNumber(string text, out uint major, out uint minor)
    {
        major = 0;
        minor = 0;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon > 0
            && uint.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out major)
            && uint.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out minor);
    }

    /// <summary>Decodes the kernel's octal escapes (a backslash and exactly three octal digits).</summary>
    public static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var builder = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && IsOctal(field, i + 1, out var value))
            {
                builder.Append((char)value);
                i += 3;
            }
            else
            {
                builder.Append(field[i]);
            }
        }

        return builder.ToString();
    }

    private static bool IsOctal(string text, int start, out int value)
    {
        value = 0;
        if (start + 3 > text.Length)
        {
            return false;
        }

        for (var i = start; i < start + 3; i++)
        {
            var c = text[i];
            if (c is < '0' or > '7')
            {
                return false;
            }

            value = (value * 8) + (c - '0');
        }

        return value <= 0xFF;
    }
}
