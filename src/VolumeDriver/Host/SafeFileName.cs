using System.Text;

namespace VolumeDriver.Host;

/// <summary>
/// A file name for a name from outside (a VM's): safe characters kept and the rest hex-encoded, so
/// distinct names never share a file. The lock files and the attach queue name their files by it.
/// </summary>
internal static class SafeFileName
{
    public static string For(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var b in Encoding.UTF8.GetBytes(name))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('_').Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }
}
