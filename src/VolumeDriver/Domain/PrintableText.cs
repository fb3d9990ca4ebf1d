using System.Text;

namespace VolumeDriver.Domain;

/// <summary>
/// Shows text that came from outside (an option's key or value, an argument, a link's target) safely
/// in a message: control characters escaped, length capped. Every layer that names such text in an
/// error uses it.
/// </summary>
internal static class PrintableText
{
    public static string Of(string text, int max = 80)
    {
        var builder = new StringBuilder(Math.Min(text.Length, max) + 8);
        foreach (var c in text)
        {
            if (builder.Length >= max)
            {
                builder.Append('…');
                break;
            }

            if (char.IsControl(c))
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
