using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace VolumeDriver.Kubernetes.Models;

/// <summary>
/// meta/v1 MicroTime: RFC 3339 in UTC with exactly six fractional digits
/// ("2026-12-07T10:00:00.123456Z"), as Lease renewTime/acquireTime and Event eventTime are written.
/// </summary>
internal sealed class MicroTimeJsonConverter : JsonConverter<DateTimeOffset?>
{
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => TimeJsonConverter.ReadRfc3339(ref reader);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value!.Value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture));
}
