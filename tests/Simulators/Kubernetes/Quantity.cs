using System.Globalization;

namespace Simulators.Kubernetes;

/// <summary>Kubernetes resource quantities in bytes (binary Ki..Ei, decimal k..E, plain numbers).</summary>
internal static class Quantity
{
    private static readonly (string Suffix, decimal Factor)[] Suffixes =
    [
        ("Ki", 1L << 10), ("Mi", 1L << 20), ("Gi", 1L << 30), ("Ti", 1L << 40), ("Pi", 1L << 50), ("Ei", 1L << 60),
        ("k", 1e3m), ("M", 1e6m), ("G", 1e9m), ("T", 1e12m), ("P", 1e15m), ("E", 1e18m),
    ];

    public static decimal Bytes(string? quantity)
    {
        if (string.IsNullOrEmpty(quantity))
        {
            return 0;
        }

        foreach (var (suffix, factor) in Suffixes)
        {
            if (quantity.EndsWith(suffix, StringComparison.Ordinal))
            {
                return decimal.Parse(quantity[..^suffix.Length], NumberStyles.Number, CultureInfo.InvariantCulture) * factor;
            }
        }

        return decimal.Parse(quantity, NumberStyles.Number, CultureInfo.InvariantCulture);
    }
}
