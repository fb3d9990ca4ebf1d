using System.Text.Encodings.Web;
using System.Text.Json;

namespace VolumeDriver.FlexVolume;

/// <summary>
/// Writes the single reply object. kubelet parses stdout and stderr together as exactly one JSON
/// value, so this is the only code that writes to stdout on a verb path, it writes once, and it
/// writes plain UTF-8 with no BOM followed by one newline.
/// </summary>
internal sealed class ReplyWriter
{
    private readonly Stream _output;
    private readonly bool _indented;
    private readonly Lock _gate = new();
    private int? _writtenExitCode;

    public ReplyWriter(Stream output, bool indented)
    {
        _output = output;
        _indented = indented;
    }

    public static string StatusText(ReplyStatus status) => status switch
    {
        ReplyStatus.Success => "Success",
        ReplyStatus.NotSupported => "Not supported",
        ReplyStatus.Failure => "Failure",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "unknown reply status"),
    };

    /// <summary>True when replies are indented (--pretty); operator documents follow it too.</summary>
    public bool Indented => _indented;

    /// <summary>The writer options of every JSON document the driver prints.</summary>
    public static JsonWriterOptions JsonOptions(bool indented) => new()
    {
        Indented = indented,
        // Messages are read by people in kubectl describe; keep quotes and '<' readable. The
        // output is never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Serialises a reply to bytes (also used by tests to check the exact shape).</summary>
    public static byte[] Serialize(Reply reply, bool indented)
    {
        using var buffer = new MemoryStream(256);
        using (var json = new Utf8JsonWriter(buffer, JsonOptions(indented)))
        {
            json.WriteStartObject();
            json.WriteString("status", StatusText(reply.Status));
            if (reply.Message is not null)
            {
                json.WriteString("message", reply.Message);
            }

            if (reply.Device is not null)
            {
                json.WriteString("device", reply.Device);
            }

            if (reply.Attached is { } attached)
            {
                json.WriteBoolean("attached", attached);
            }

            if (reply.Capabilities is { } capabilities)
            {
                json.WriteStartObject("capabilities");
                json.WriteBoolean("attach", capabilities.Attach);
                json.WriteBoolean("selinuxRelabel", capabilities.SELinuxRelabel);
                json.WriteBoolean("supportsMetrics", capabilities.SupportsMetrics);
                json.WriteBoolean("fsGroup", capabilities.FsGroup);
                json.WriteBoolean("requiresFSResize", capabilities.RequiresFSResize);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>
    /// Writes the reply unless one was already written, and returns the exit code that matches what
    /// stdout holds: a late Failure (from a signal watchdog or a crash after the reply) never turns a
    /// written Success into exit 1.
    /// </summary>
    public int Write(Reply reply) => WriteDocument(Serialize(reply, _indented), reply.ExitCode);

    /// <summary>
    /// Writes an operator command's own JSON document (already serialised, ending in a newline) under
    /// the same write-once rule as a reply, and returns the exit code of whatever was written first.
    /// </summary>
    public int WriteDocument(ReadOnlySpan<byte> document, int exitCode)
    {
        lock (_gate)
        {
            if (_writtenExitCode is { } written)
            {
                return written;
            }

            _output.Write(document);
            _output.Flush();
            _writtenExitCode = exitCode;
            return exitCode;
        }
    }
}
