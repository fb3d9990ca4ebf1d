using System.Globalization;
using System.Text;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace VolumeDriver.Logging;

/// <summary>
/// Writes each event as one line to a stream (the provisioner's stdout) and flushes it, under a
/// lock: workers log at the same time, and a line must never be split by another. A write that
/// fails (a closed pipe) drops the line; logging never stops the provisioner.
/// </summary>
internal sealed class LineStreamSink : ILogEventSink
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    private readonly Stream _output;
    private readonly ITextFormatter _formatter;
    private readonly Lock _gate = new();

    public LineStreamSink(Stream output, ITextFormatter formatter)
    {
        _output = output;
        _formatter = formatter;
    }

    public void Emit(LogEvent logEvent)
    {
        var line = new StringWriter(CultureInfo.InvariantCulture);
        _formatter.Format(logEvent, line);
        var bytes = Utf8NoBom.GetBytes(line.ToString());
        lock (_gate)
        {
            try
            {
                _output.Write(bytes);
                _output.Flush();
            }
            catch (IOException)
            {
                // stdout is gone (the container runtime closed it); there is nowhere left to say so.
            }
        }
    }
}
