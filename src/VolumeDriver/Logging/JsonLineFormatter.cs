using System.Globalization;
using System.Text.Json;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Parsing;

namespace VolumeDriver.Logging;

/// <summary>
/// One JSON object per event, for the provisioner mode's stdout (what a cluster's log collector
/// reads): <c>time</c> (UTC, RFC 3339), <c>level</c>, <c>source</c>, <c>message</c> (rendered, strings
/// unquoted), then every scalar property by name, and <c>exception</c>. Written with
/// <see cref="Utf8JsonWriter"/>, so no reflection: Serilog's own JSON formatters are not needed, and
/// structured values are written as their text.
/// </summary>
internal sealed class JsonLineFormatter : ITextFormatter
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false, SkipValidation = false };

    public void Format(LogEvent logEvent, TextWriter output)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("time", logEvent.Timestamp.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
            writer.WriteString("level", logEvent.Level.ToString());
            if (logEvent.Properties.TryGetValue("SourceContext", out var source) && source is ScalarValue { Value: string sourceName })
            {
                writer.WriteString("source", sourceName);
            }

            writer.WriteString("message", Render(logEvent));
            foreach (var (name, value) in logEvent.Properties)
            {
                if (name is "SourceContext" or ProcessContextEnricher.UtcTimestampProperty or "EventId")
                {
                    continue;
                }

                writer.WritePropertyName(name);
                WriteValue(writer, value);
            }

            if (logEvent.Exception is { } exception)
            {
                writer.WriteString("exception", exception.ToString());
            }

            writer.WriteEndObject();
        }

        output.Write(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        output.Write('\n');
    }

    private static string Render(LogEvent logEvent)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture);
        foreach (var token in logEvent.MessageTemplate.Tokens)
        {
            switch (token)
            {
                case TextToken literal:
                    text.Write(literal.Text);
                    break;
                case PropertyToken property when logEvent.Properties.TryGetValue(property.PropertyName, out var value):
                    if (value is ScalarValue { Value: string s })
                    {
                        text.Write(s);
                    }
                    else
                    {
                        value.Render(text, property.Format, CultureInfo.InvariantCulture);
                    }

                    break;
                case PropertyToken missing:
                    text.Write(missing.ToString());
                    break;
            }
        }

        return text.ToString();
    }

    private static void WriteValue(Utf8JsonWriter writer, LogEventPropertyValue value)
    {
        switch (value)
        {
            case ScalarValue { Value: null }:
                writer.WriteNullValue();
                break;
            case ScalarValue { Value: string s }:
                writer.WriteStringValue(s);
                break;
            case ScalarValue { Value: bool b }:
                writer.WriteBooleanValue(b);
                break;
            case ScalarValue { Value: int or long or short or byte or uint or ushort or sbyte } integer:
                writer.WriteNumberValue(Convert.ToInt64(integer.Value, CultureInfo.InvariantCulture));
                break;
            case ScalarValue { Value: double d } when double.IsFinite(d):
                writer.WriteNumberValue(d);
                break;
            case ScalarValue { Value: float f } when float.IsFinite(f):
                writer.WriteNumberValue(f);
                break;
            case ScalarValue { Value: decimal m }:
                writer.WriteNumberValue(m);
                break;
            case ScalarValue { Value: DateTime time }:
                writer.WriteStringValue(time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
                break;
            case ScalarValue { Value: DateTimeOffset time }:
                writer.WriteStringValue(time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
                break;
            case ScalarValue scalar:
                writer.WriteStringValue(Convert.ToString(scalar.Value, CultureInfo.InvariantCulture));
                break;
            default:
                var text = new StringWriter(CultureInfo.InvariantCulture);
                value.Render(text, null, CultureInfo.InvariantCulture);
                writer.WriteStringValue(text.ToString());
                break;
        }
    }
}
