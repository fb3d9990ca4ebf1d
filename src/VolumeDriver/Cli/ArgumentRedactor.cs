using System.Text;
using System.Text.Json;
using VolumeDriver.FlexVolume;

namespace VolumeDriver.Cli;

/// <summary>
/// Prepares a verb's arguments for the log: JSON option arguments keep their keys but lose the
/// values of secrets (kubelet's kubernetes.io/secret/* keys and anything named like a password,
/// key or token). Arguments that are not valid JSON objects are logged as they are only when they
/// cannot hold options.
/// </summary>
internal static class ArgumentRedactor
{
    private const string Hidden = "***";
    private static readonly string[] SecretWords = ["secret", "password", "passwd", "pwd", "token", "key", "credential", "auth", "sas", "signature"];

    public static string Redact(IReadOnlyList<string> arguments) => string.Join(' ', arguments.Select(RedactOne));

    public static bool IsSecretKey(string key) =>
        key.StartsWith(OptionKeys.SecretPrefix, StringComparison.Ordinal)
        || SecretWords.Any(word => key.Contains(word, StringComparison.OrdinalIgnoreCase));

    private static string RedactOne(string argument)
    {
        if (!argument.AsSpan().TrimStart().StartsWith("{", StringComparison.Ordinal))
        {
            return OptionsJson.Printable(argument, 512);
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
            // Not parseable, so we cannot tell its secrets apart: log only its size.
            return $"<{argument.Length} characters of invalid options JSON>";
        }
    }

    private static string Truncate(string value) => value.Length <= 256 ? value : value[..256] + "…";
}
