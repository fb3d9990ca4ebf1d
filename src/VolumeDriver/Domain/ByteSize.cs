using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace VolumeDriver.Domain;

/// <summary>
/// A disk size in bytes, parsed from a Kubernetes-style quantity: a whole number with an optional
/// binary (Ki, Mi, Gi, Ti, Pi) or decimal (k, M, G, T, P) suffix, as PV and storage-class sizes are
/// written. Fractions, exponents, signs and anything larger than <see cref="Max"/> are refused.
/// </summary>
internal readonly record struct ByteSize
{
    /// <summary>64 TiB: above every backend's largest disk (Azure 32 TiB, vCD 64 TiB).</summary>
    public static readonly ByteSize Max = new(64L << 40);

    private static readonly (string Suffix, long Factor)[] Suffixes =
    [
        ("Ki", 1L << 10), ("Mi", 1L << 20), ("Gi", 1L << 30), ("Ti", 1L << 40), ("Pi", 1L << 50),
        ("k", 1_000L), ("M", 1_000_000L), ("G", 1_000_000_000L), ("T", 1_000_000_000_000L), ("P", 1_000_000_000_000_000L),
    ];

    public ByteSize(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        Bytes = bytes;
    }

    public long Bytes { get; }

    public static ByteSize FromGiB(long gib) => new(checked(gib << 30));

    /// <summary>The smallest whole number of GiB that holds this size.</summary>
    public long WholeGiB => (Bytes + (1L << 30) - 1) >> 30;

    public static bool TryParse(string? text, [NotNullWhen(true)] out ByteSize? size, [NotNullWhen(false)] out string? problem)
    {
        size = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            problem = "it is empty";
            return false;
        }

        var number = text.AsSpan().Trim();
        long factor = 1;
        foreach (var (suffix, suffixFactor) in Suffixes)
        {
            if (number.EndsWith(suffix, StringComparison.Ordinal))
            {
                number = number[..^suffix.Length];
                factor = suffixFactor;
                break;
            }
        }

        if (number.IsEmpty || number.Length > 19 || !IsAllDigits(number))
        {
            problem = "write a whole number of bytes, optionally with a suffix Ki, Mi, Gi, Ti, Pi (powers of 1024) or k, M, G, T, P (powers of 1000), for example 512Mi or 10Gi";
            return false;
        }

        if (!long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            || value > Max.Bytes / factor)
        {
            problem = $"it is larger than the largest disk this driver creates ({Max})";
            return false;
        }

        if (value == 0)
        {
            problem = "a disk must be larger than 0 bytes";
            return false;
        }

        problem = null;
        size = new ByteSize(value * factor);
        return true;
    }

    public override string ToString()
    {
        foreach (var (suffix, factor) in new[] { ("Ti", 1L << 40), ("Gi", 1L << 30), ("Mi", 1L << 20), ("Ki", 1L << 10) })
        {
            if (Bytes >= factor && Bytes % factor == 0)
            {
                return (Bytes / factor).ToString(CultureInfo.InvariantCulture) + suffix;
            }
        }

        return Bytes.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>For people: "76.3 GiB (81923456789 bytes)", exact bytes after a rounded figure.</summary>
    public string ToApproximateString()
    {
        foreach (var (suffix, factor) in new[] { ("TiB", 1L << 40), ("GiB", 1L << 30), ("MiB", 1L << 20), ("KiB", 1L << 10) })
        {
            if (Bytes >= factor)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{(double)Bytes / factor:0.#} {suffix} ({Bytes} bytes)");
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"{Bytes} bytes");
    }

    private static bool IsAllDigits(ReadOnlySpan<char> span)
    {
        foreach (var c in span)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return true;
    }
}
