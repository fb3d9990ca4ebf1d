using Microsoft.Extensions.Logging;

namespace VolumeDriver.Cli;

/// <summary>The one log line per verb, and the record of unexpected failures.</summary>
internal static partial class CliLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "{Verb} {Arguments} -> {Status} in {DurationMs:0} ms{Detail}")]
    public static partial void VerbCompleted(ILogger logger, string verb, string arguments, string status, double durationMs, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Verb} failed unexpectedly")]
    public static partial void VerbCrashed(ILogger logger, Exception exception, string verb);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Verb} was stopped by a signal while it ran")]
    public static partial void VerbInterrupted(ILogger logger, Exception exception, string verb);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Verb} ran out of time")]
    public static partial void VerbRanOutOfTime(ILogger logger, Exception exception, string verb);
}
