using Serilog.Core;
using Serilog.Events;

namespace VolumeDriver.Logging;

/// <summary>
/// Adds <c>ProcessId</c> (verbs run as concurrent processes that share one log file) and
/// <c>UtcTimestamp</c> (Serilog 3's <c>{Timestamp}</c> is in local time) to every event, without
/// reflection.
/// </summary>
internal sealed class ProcessContextEnricher : ILogEventEnricher
{
    public const string ProcessIdProperty = "ProcessId";
    public const string UtcTimestampProperty = "UtcTimestamp";

    private readonly LogEventProperty _processId;

    public ProcessContextEnricher(int processId)
    {
        _processId = new LogEventProperty(ProcessIdProperty, new ScalarValue(processId));
    }

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        logEvent.AddPropertyIfAbsent(_processId);
        logEvent.AddPropertyIfAbsent(new LogEventProperty(UtcTimestampProperty, new ScalarValue(logEvent.Timestamp.UtcDateTime)));
    }
}
