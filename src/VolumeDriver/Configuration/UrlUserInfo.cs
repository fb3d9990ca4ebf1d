using VolumeDriver.Errors;
using YamlDotNet.RepresentationModel;

namespace VolumeDriver.Configuration;

/// <summary>
/// A URL or host value with userinfo (<c>https://admin:PASSWORD@host</c>) carries a password. It is
/// refused by naming the key, never by quoting the value, so the password reaches neither the
/// Failure message nor the log; the sections have their own username and password keys.
/// </summary>
internal static class UrlUserInfo
{
    /// <summary>True when the authority part of <paramref name="text"/> (with or without a scheme) has an '@'.</summary>
    public static bool IsPresent(string text) => AuthorityAt(text) is var (start, length) && text.AsSpan(start, length).Contains('@');

    /// <summary>Throws the Failure for <paramref name="key"/>, which does not repeat its value, when <paramref name="text"/> holds userinfo.</summary>
    public static void RefuseIfPresent(YamlSection section, string key, YamlNode node, string text)
    {
        if (IsPresent(text))
        {
            throw section.Error(
                key,
                node,
                "the value holds a user name or password in front of the host (user:password@host). The driver never takes credentials from a URL, and this message does not repeat the value; "
                + "remove them from it (and change that password if this file was shared), and set the section's username and password keys instead.");
        }
    }

    /// <summary>The text with anything before the authority's last '@' replaced by ***.</summary>
    public static string Hide(string text)
    {
        if (AuthorityAt(text) is not var (start, length))
        {
            return text;
        }

        var at = text.AsSpan(start, length).LastIndexOf('@');
        return at < 0 ? text : string.Concat(text.AsSpan(0, start), "***", text.AsSpan(start + at));
    }

    private static (int Start, int Length)? AuthorityAt(string text)
    {
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        var start = scheme < 0 ? 0 : scheme + 3;
        var end = text.AsSpan(start).IndexOfAny('/', '?', '#');
        var length = end < 0 ? text.Length - start : end;
        return length > 0 ? (start, length) : null;
    }
}
