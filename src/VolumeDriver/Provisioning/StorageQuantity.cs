using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using VolumeDriver.Domain;

namespace VolumeDriver.Provisioning;

/// <summary>
/// A claim's <c>resources.requests.storage</c>, a Kubernetes resource.Quantity: a decimal number
/// (a fraction allowed) with a binary suffix (Ki … Ei), a decimal suffix (n, u, m, k, M, G, T, P, E)
/// or a decimal exponent (e6, E9). The API server has already checked the grammar; this turns the
/// value into bytes, rounded up to a whole byte as <c>Quantity.Value()</c> does.
/// </summary>
internal static class StorageQuantity
{
    private static readonly (string Suffix, decimal Factor)[] Suffixes =
    [
        ("Ki", 1L << 10), ("Mi", 1L << 20), ("Gi", 1L << 30), ("Ti", 1L << 40), ("Pi", 1L << 50), ("Ei", 1L << 60),
        ("n", 0.000_000_001m), ("u", 0.000_001m), ("m", 0.001m),
        ("k", 1e3m), ("M", 1e6m), ("G", 1e9m), ("T", 1e12m), ("P", 1e15m), ("E", 1e18m),
    ];

    public static bool TryParse(string? text, [NotNullWhen(true)] out ByteSize? size, [NotNullWhen(false)] out string? problem)
    {
        size = null;
        var value = (text ?? string.Empty).Trim();
        if (value.Length == 0 || value.Length > 64)
        {
            problem = "the claim requests no storage (spec.resources.requests.storage)";
            return false;
        }

        decimal factor = 1;
        var number = value;
        var exponent = value.IndexOfAny(['e', 'E']);
        if (exponent > 0 && int.TryParse(value.AsSpan(exponent + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var power) && power is >= -9 and <= 18)
        {
            number = value[..exponent];
            factor = Pow10(power);
        }
        else
        {
            foreach (var (suffix, suffixFactor) in Suffixes)
            {
                if (value.EndsWith(suffix, StringComparison.Ordinal))
                {
                    number = value[..^suffix.Length];
                    factor = suffixFactor;
                    break;
                }
            }
        }

        if (number.Length == 0 || !number.All(c => char.IsAsciiDigit(c) || c == '.')
            || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
        {
            problem = $"the claim's storage request '{PrintableText.Of(value)}' is not a quantity such as 10Gi or 500M";
            return false;
        }

        decimal bytes;
        try
        {
            bytes = decimal.Ceiling(amount * factor);
        }
        catch (OverflowException)
        {
            bytes = decimal.MaxValue;
        }

        if (bytes <= 0)
        {
            problem = $"the claim's storage request '{PrintableText.Of(value)}' is less than one byte";
            return false;
        }

        if (bytes > ByteSize.Max.Bytes)
        {
            problem = $"the claim's storage request '{PrintableText.Of(value)}' is larger than the largest disk this driver creates ({ByteSize.Max})";
            return false;
        }

        problem = null;
        size = new ByteSize((long)bytes);
        return true;
    }

    private static decimal Pow10(int power)
    {
        decimal result = 1;
        for (var i = 0; i < Math.Abs(power); i++)
        {
            result *= 10;
        }

        return power < 0 ? 1 / result : result;
    }
}
