using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace VolumeDriver.Kubernetes.Models;

/// <summary>
/// meta/v1 Time: RFC 3339 in UTC with whole seconds ("2026-12-07T10:00:00Z"), as the API server
/// writes creationTimestamp. Reads any RFC 3339 form (a fraction or an offset is accepted).
/// </summary>
internal sealed class TimeJsonConverter : JsonConverter<DateTimeOffset?>
{
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadRfc3339(ref reader);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value!.Value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture));

    /// <summary>An RFC 3339 string; anything else is a JsonException naming what came.</summary>
    internal static DateTimeOffset? ReadRfc3339(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
            ? value
            : throw new JsonException($"expected an RFC 3339 time, not {(text is null ? reader.TokenType.ToString() : "'" + text + "'")}");
    }
}
