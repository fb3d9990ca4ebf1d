using System.Text;
using System.Text.Json;
using VolumeDriver.Domain;
using VolumeDriver.Errors;

namespace VolumeDriver.FlexVolume;

/// <summary>
/// Reads kubelet's options argument: one JSON object whose values are all strings (what Go's
/// json.Marshal of a map[string]string writes). Anything else is refused with a message that says
/// what was found. A key given twice keeps its last value, as Go's decoder does.
/// </summary>
internal static class OptionsJson
{
    /// <summary>The name used in messages for the argument itself.</summary>
    public const string ArgumentName = "options";

    public static IReadOnlyDictionary<string, string> Parse(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            throw new InvalidOptionException(ArgumentName, "the options argument is empty; expected a JSON object of string values such as {\"kubernetes.io/pvOrVolumeName\":\"pv-1\"}");
        }

        var bytes = Encoding.UTF8.GetBytes(json);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false, MaxDepth = 4 });
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new InvalidOptionException(ArgumentName, $"the options argument must be a JSON object of string values, not {Describe(reader.TokenType)}");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var key = reader.GetString()!;
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    throw new InvalidOptionException(key, $"option '{PrintableText.Of(key)}' is {Describe(reader.TokenType)}; every option value must be a JSON string");
                }

                options[key] = reader.GetString()!;
            }

            if (reader.TokenType != JsonTokenType.EndObject)
            {
                throw new InvalidOptionException(ArgumentName, "the options argument is not a complete JSON object");
            }

            // Utf8JsonReader itself refuses anything but whitespace after the object.
            reader.Read();
        }
        catch (JsonException e)
        {
            throw new InvalidOptionException(ArgumentName, $"the options argument is not valid JSON ({FirstSentence(e.Message)})");
        }
        catch (InvalidOperationException e)
        {
            // GetString refuses escapes that are not text, such as a lone surrogate ("\ud800").
            throw new InvalidOptionException(ArgumentName, $"the options argument holds a string that is not valid text ({FirstSentence(e.Message)})");
        }

        return options;
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.None => "nothing",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message.TrimEnd('.');
    }
}
