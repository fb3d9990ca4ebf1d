using System.Globalization;
using System.Text;
using System.Text.Json;
using VolumeDriver.Backends;
using VolumeDriver.FlexVolume;

namespace VolumeDriver.Cli;

/// <summary><c>volume-driver list</c>'s output: a table for people or one JSON object for scripts.</summary>
internal static class VolumeListWriter
{
    /// <summary>
    /// <c>{"status":"Success","volumes":[{"name","size","sizeBytes","sku","node","device"}]}</c>; absent
    /// values are JSON null so every volume has the same keys.
    /// </summary>
    public static byte[] ToJson(IReadOnlyList<VolumeSummary> volumes, bool indented)
    {
        using var buffer = new MemoryStream(1024);
        using (var json = new Utf8JsonWriter(buffer, ReplyWriter.JsonOptions(indented)))
        {
            json.WriteStartObject();
            json.WriteString("status", ReplyWriter.StatusText(ReplyStatus.Success));
            json.WriteStartArray("volumes");
            foreach (var volume in volumes)
            {
                json.WriteStartObject();
                json.WriteString("name", volume.Name.Value);
                json.WriteString("size", volume.Size.ToString());
                json.WriteNumber("sizeBytes", volume.Size.Bytes);
                WriteNullable(json, "sku", volume.Sku);
                WriteNullable(json, "node", volume.AttachedNode?.Value);
                WriteNullable(json, "device", volume.Device);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    public static async Task WriteTableAsync(IReadOnlyList<VolumeSummary> volumes, TextWriter output, CancellationToken cancellationToken)
    {
        string[] header = ["NAME", "SIZE", "SKU/PROFILE", "ATTACHED TO", "DEVICE"];
        var rows = volumes.Select(v => new[]
        {
            v.Name.Value,
            v.Size.ToString(),
            v.Sku ?? "-",
            v.AttachedNode?.Value ?? "-",
            v.Device ?? "-",
        }).ToList();
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();

        var text = new StringBuilder();
        foreach (var row in rows.Prepend(header))
        {
            text.AppendJoin("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).Append('\n');
        }

        text.Append(CultureInfo.InvariantCulture, $"{volumes.Count} volume(s), {volumes.Count(v => v.AttachedNode is not null)} attached\n");
        await output.WriteAsync(text, cancellationToken);
        await output.FlushAsync(cancellationToken);
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}
