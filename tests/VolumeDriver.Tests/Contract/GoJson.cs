using System.Text;

namespace VolumeDriver.Tests.Contract;

/// <summary>Serialises options exactly as Go's json.Marshal writes a map[string]string (kubelet's options argument).</summary>
public static class GoJson
{
    public static string Marshal(IReadOnlyDictionary<string, string> options)
    {
        var builder = new StringBuilder("{");
        var first = true;
        foreach (var (key, value) in options.OrderBy(o => Encoding.UTF8.GetBytes(o.Key), ByteOrder.Instance))
        {
            if (!first)
            {
                builder.Append(',');
            }

            first = false;
            Quote(builder, key);
            builder.Append(':');
            Quote(builder, value);
        }

        return builder.Append('}').ToString();
    }

    private static void Quote(StringBuilder builder, string text)
    {
        builder.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '<' or '>' or '&' or '\u2028' or '\u2029':
                    builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    break;
                default:
                    if (c < 0x20)
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => ((ReadOnlySpan<byte>)x).SequenceCompareTo(y);
    }
}
