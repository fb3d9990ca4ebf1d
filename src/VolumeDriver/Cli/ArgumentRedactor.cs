using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using VolumeDriver.Domain;
using VolumeDriver.FlexVolume;

namespace VolumeDriver.Cli;

/// <summary>
/// Keeps secrets out of the log and the reply. For the log, JSON option arguments keep their keys but
/// lose the values of secrets (kubelet's kubernetes.io/secret/* keys, which carry a PV's secretRef,
/// and anything named like a password, key or token). An argument that may hold options but does
/// not parse (a BOM or junk in front, a truncated object) is logged as its length and a hash, never
/// as text; an http(s) URI (an operator's) loses its user:password@ and query; only arguments that
/// cannot be options (names, paths, sizes) are logged as they are.
/// For messages, <see cref="SecretValues"/> and <see cref="Scrub"/> blank every secret value the
/// arguments carry wherever a message happens to quote it.
/// </summary>
internal static class ArgumentRedactor
{
    private const string Hidden = "***";
    private static readonly string[] SecretWords = ["secret", "password", "passwd", "pwd", "token", "key", "credential", "auth", "sas", "signature"];

    public static string Redact(IReadOnlyList<string> arguments) => string.Join(' ', arguments.Select(RedactOne));

    public static bool IsSecretKey(string key) =>
        key.StartsWith(OptionKeys.SecretPrefix, StringComparison.Ordinal)
        || SecretWords.Any(word => key.Contains(word, StringComparison.OrdinalIgnoreCase));

    /// <summary>The values of the secret keys in every argument that holds options, even behind junk; longest first.</summary>
    public static IReadOnlyList<string> SecretValues(IEnumerable<string> arguments)
    {
        var values = new HashSet<string>(StringComparer.Ordinal);
        foreach (var argument in arguments)
        {
            var start = argument.IndexOf('{', StringComparison.Ordinal);
            if (start < 0)
            {
                continue;
            }

            try
            {
                foreach (var (key, value) in OptionsJson.Parse(argument[start..]))
                {
                    if (IsSecretKey(key) && value.Length > 0)
                    {
                        values.Add(value);
                        if (DecodedBase64(value) is { } decoded)
                        {
                            values.Add(decoded);
                        }
                    }
                }
            }
            catch (Errors.InvalidOptionException)
            {
                // Nothing can be told apart in it; it is never quoted whole by any message.
            }
        }

        return values.OrderByDescending(v => v.Length).ToList();
    }

    /// <summary>The text with every one of <paramref name="secrets"/> replaced by ***.</summary>
    public static string Scrub(string text, IReadOnlyList<string> secrets)
    {
        foreach (var secret in secrets)
        {
            text = text.Replace(secret, Hidden, StringComparison.Ordinal);
        }

        return text;
    }

    private static string RedactOne(string argument)
    {
        if (PlainUri(argument) is { } uri)
        {
            return PrintableText.Of(uri, 512);
        }

        if (!argument.AsSpan().TrimStart().StartsWith("{", StringComparison.Ordinal))
        {
            return MayHoldOptions(argument) ? Fingerprint(argument) : PrintableText.Of(argument, 512);
        }

        try
        {
            var options = OptionsJson.Parse(argument);
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                foreach (var (key, value) in options.OrderBy(o => o.Key, StringComparer.Ordinal))
                {
                    json.WriteString(key, IsSecretKey(key) ? Hidden : Truncate(value));
                }

                json.WriteEndObject();
            }

            return Encoding.UTF8.GetString(buffer.ToArray());
        }
        catch (Errors.InvalidOptionException)
        {
            // Not parseable, so we cannot tell its secrets apart.
            return Fingerprint(argument);
        }
    }

    /// <summary>
    /// An operator's http(s) URI argument (migrate-vhd's blob) without the parts that may carry a
    /// secret: user:password@ and the query (a SAS token) become ***, the fragment is dropped. Null
    /// for anything else, and for anything that may hold options.
    /// </summary>
    private static string? PlainUri(string argument)
    {
        if (argument.AsSpan().IndexOfAny('{', '"') >= 0
            || !Uri.TryCreate(argument, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("https" or "http"))
        {
            return null;
        }

        var userInfo = uri.UserInfo.Length > 0 ? Hidden + "@" : "";
        var query = uri.Query.Length > 0 ? "?" + Hidden : "";
        return $"{uri.Scheme}://{userInfo}{uri.Authority}{uri.AbsolutePath}{query}";
    }

    /// <summary>Names, paths and sizes hold none of these; options JSON, whatever is in front of it, does.</summary>
    private static bool MayHoldOptions(string argument) =>
        argument.AsSpan().IndexOfAny('{', '"', ':') >= 0 || argument.Contains(OptionKeys.KubernetesPrefix, StringComparison.Ordinal);

    /// <summary>Enough to tell two runs' arguments apart or equal, and nothing of their text.</summary>
    private static string Fingerprint(string argument)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(argument)));
        return string.Create(CultureInfo.InvariantCulture, $"<{argument.Length} characters of options that do not parse, sha256 {hash[..16]}>");
    }

    private static string? DecodedBase64(string value)
    {
        var bytes = new byte[value.Length];
        if (value.Length < 8 || !Convert.TryFromBase64String(value, bytes, out var length))
        {
            return null;
        }

        try
        {
            var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, length);
            return text.Length >= 4 ? text : null;
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static string Truncate(string value) => value.Length <= 256 ? value : value[..256] + "…";
}
