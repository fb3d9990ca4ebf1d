using System.Text.Json;
using VolumeDriver.Diagnostics;
using VolumeDriver.Domain;
using VolumeDriver.FlexVolume;

namespace VolumeDriver.Cli;

/// <summary>Doctor's report as a table for people or as one JSON object for scripts.</summary>
internal static class DoctorReportWriter
{
    /// <summary>
    /// <c>{"status":"Success"|"Failure","message":"N ok, …","checks":[{"name","status","detail","fix"}]}</c>;
    /// status is Failure exactly when a check failed.
    /// </summary>
    public static byte[] ToJson(DoctorReport report, bool indented)
    {
        using var buffer = new MemoryStream(4096);
        using (var json = new Utf8JsonWriter(buffer, ReplyWriter.JsonOptions(indented)))
        {
            json.WriteStartObject();
            json.WriteString("status", ReplyWriter.StatusText(report.HasFailures ? ReplyStatus.Failure : ReplyStatus.Success));
            json.WriteString("message", report.Summary());
            json.WriteStartArray("checks");
            foreach (var check in report.Checks)
            {
                json.WriteStartObject();
                json.WriteString("name", check.Name);
                json.WriteString("status", DoctorCheck.StatusText(check.Status));
                json.WriteString("detail", check.Detail);
                if (check.Fix is null)
                {
                    json.WriteNull("fix");
                }
                else
                {
                    json.WriteString("fix", check.Fix);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>One row per check (failures in capitals so they stand out), each fix on its own line below.</summary>
    public static async Task WriteTableAsync(DoctorReport report, TextWriter output, CancellationToken cancellationToken)
    {
        var nameWidth = Math.Max("CHECK".Length, report.Checks.Max(c => c.Name.Length));
        var indent = new string(' ', 8 + nameWidth + 2);
        var text = new System.Text.StringBuilder();
        text.Append("STATUS  ").Append("CHECK".PadRight(nameWidth)).Append("  DETAIL\n");
        foreach (var check in report.Checks)
        {
            var status = check.Status == DoctorStatus.Fail ? "FAIL" : DoctorCheck.StatusText(check.Status);
            text.Append(status.PadRight(8)).Append(check.Name.PadRight(nameWidth)).Append("  ").Append(check.Detail).Append('\n');
            if (check.Fix is not null && check.Status is DoctorStatus.Fail or DoctorStatus.Warn)
            {
                text.Append(indent).Append("fix: ").Append(check.Fix).Append('\n');
            }
        }

        text.Append('\n').Append(report.Summary()).Append(report.HasFailures ? ": the driver will not work on this node until the failures are fixed\n" : "\n");
        await output.WriteAsync(text, cancellationToken);
        await output.FlushAsync(cancellationToken);
    }
}
