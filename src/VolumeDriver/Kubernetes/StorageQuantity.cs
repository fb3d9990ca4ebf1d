using System.Diagnostics.CodeAnalysis;
using System.Globalization;

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
    // decimal, not BigInteger: 28 significant digits hold every storage size, and System.Runtime.Numerics
    // would add about 80 KiB to the executable for this one parser.
    private static readonly (string Suffix, decimal Factor)[] Suffixes =
    [
        ("Ki", 1L << 10), ("Mi", 1L << 20), ("Gi", 1L << 30), ("Ti", 1L << 40), ("Pi", 1L << 50), ("Ei", 1L << 60),
        ("k", 1e3m), ("M", 1e6m), ("G", 1e9m), ("T", 1e12m), ("P", 1e15m), ("E", 1e18m),
    ];

    /// <summary>Reads <paramref name="text"/> as a whole number of bytes (at least 0, at most long.MaxValue).</summary>
    public static bool TryParseBytes(string? text, out long bytes, [NotNullWhen(false)] out string? problem)
    {
        bytes = 0;
        problem = null;
        var value = text?.Trim() ?? "";
        var factor = 1m;
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

        decimal result;
        try
        {
            // Rounded up to a whole byte, as resource.Quantity's Value() rounds.
            var number = decimal.Parse(string.Concat(whole.Length == 0 ? "0" : whole, ".", fraction.Length == 0 ? "0" : fraction), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            var scale = 1m;
            for (var i = 0; i < Math.Abs(exponent); i++)
            {
                scale *= 10;
            }

            result = decimal.Ceiling((exponent >= 0 ? number * scale : number / scale) * factor);
        }
        catch (OverflowException)
        {
            result = decimal.MaxValue;
        }

        if (result > long.MaxValue)
        {
            problem = $"'{text}' is larger than any disk";
            return false;
        }

        bytes = (long)result;
        return true;
    }
}
