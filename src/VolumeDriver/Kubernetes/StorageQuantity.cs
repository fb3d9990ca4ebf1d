using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;

namespace VolumeDriver.Kubernetes;

/// <summary>
/// Storage sizes as Kubernetes writes them (resource.Quantity): a decimal number, optionally with a
/// fraction ("1.5Gi") or an exponent ("1e9"), and a binary (Ki Mi Gi Ti Pi Ei) or decimal (k M G T P E)
/// suffix. Parsed to whole bytes, rounded up as Quantity.Value() rounds ("0.5" is 1 byte), so a
/// claim's request is never read smaller than asked. (Domain's ByteSize reads the whole-number forms
/// of driver options and refuses fractions; a PVC may carry either.)
/// </summary>
internal static class StorageQuantity
{
    private static readonly (string Suffix, BigInteger Factor)[] Suffixes =
    [
        ("Ki", BigInteger.Pow(2, 10)), ("Mi", BigInteger.Pow(2, 20)), ("Gi", BigInteger.Pow(2, 30)),
        ("Ti", BigInteger.Pow(2, 40)), ("Pi", BigInteger.Pow(2, 50)), ("Ei", BigInteger.Pow(2, 60)),
        ("k", BigInteger.Pow(10, 3)), ("M", BigInteger.Pow(10, 6)), ("G", BigInteger.Pow(10, 9)),
        ("T", BigInteger.Pow(10, 12)), ("P", BigInteger.Pow(10, 15)), ("E", BigInteger.Pow(10, 18)),
    ];

    /// <summary>Reads <paramref name="text"/> as a whole number of bytes (at least 0, at most long.MaxValue).</summary>
    public static bool TryParseBytes(string? text, out long bytes, [NotNullWhen(false)] out string? problem)
    {
        bytes = 0;
        problem = null;
        var value = text?.Trim() ?? "";
        BigInteger factor = 1;
        foreach (var (suffix, suffixFactor) in Suffixes)
        {
            if (value.EndsWith(suffix, StringComparison.Ordinal))
            {
                value = value[..^suffix.Length];
                factor = suffixFactor;
                break;
            }
        }

        var exponent = 0;
        var e = value.IndexOfAny(['e', 'E']);
        if (e >= 0 && factor == 1)
        {
            if (!int.TryParse(value.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent) || exponent is < -18 or > 18)
            {
                problem = $"'{text}' is not a quantity: the exponent is not a small whole number";
                return false;
            }

            value = value[..e];
        }

        var dot = value.IndexOf('.', StringComparison.Ordinal);
        var whole = dot < 0 ? value : value[..dot];
        var fraction = dot < 0 ? "" : value[(dot + 1)..];
        if (value.StartsWith('+'))
        {
            whole = whole[1..];
        }

        if ((whole.Length == 0 && fraction.Length == 0) || !whole.All(char.IsAsciiDigit) || !fraction.All(char.IsAsciiDigit) || fraction.Length > 18)
        {
            problem = $"'{text}' is not a storage quantity: write a number with an optional suffix Ki, Mi, Gi, Ti, Pi, Ei or k, M, G, T, P, E, for example 10Gi, 1.5Gi or 500M";
            return false;
        }

        // value = digits / 10^fraction.Length * 10^exponent * factor, rounded up to a whole byte.
        var numerator = BigInteger.Parse(whole + fraction, CultureInfo.InvariantCulture) * factor;
        var scale = fraction.Length - exponent;
        var denominator = BigInteger.One;
        if (scale >= 0)
        {
            denominator = BigInteger.Pow(10, scale);
        }
        else
        {
            numerator *= BigInteger.Pow(10, -scale);
        }

        var result = BigInteger.DivRem(numerator, denominator, out var remainder) + (remainder.IsZero ? 0 : 1);
        if (result > long.MaxValue)
        {
            problem = $"'{text}' is larger than any disk";
            return false;
        }

        bytes = (long)result;
        return true;
    }

    /// <summary>
    /// The canonical way to write <paramref name="bytes"/>: the largest binary suffix that divides it
    /// exactly ("10Gi", "1536Mi"), else plain bytes, as a PV's capacity is written.
    /// </summary>
    public static string Format(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        foreach (var (suffix, shift) in new[] { ("Ei", 60), ("Pi", 50), ("Ti", 40), ("Gi", 30), ("Mi", 20), ("Ki", 10) })
        {
            var unit = 1L << shift;
            if (bytes >= unit && bytes % unit == 0)
            {
                return (bytes / unit).ToString(CultureInfo.InvariantCulture) + suffix;
            }
        }

        return bytes.ToString(CultureInfo.InvariantCulture);
    }
}
