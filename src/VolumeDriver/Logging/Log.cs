using Microsoft.Extensions.Logging;

namespace VolumeDriver.Logging;

/// <summary>The log messages of the Logging folder.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Logging continues without the log file: {Reason}")]
    public static partial void LogFileUnavailable(ILogger logger, string reason);
}
