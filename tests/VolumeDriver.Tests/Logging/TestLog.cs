using Microsoft.Extensions.Logging;

namespace VolumeDriver.Tests.Logging;

/// <summary>[LoggerMessage] methods the logging tests write through, as product code does.</summary>
internal static partial class TestLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "attached {Disk} at lun {Lun}")]
    public static partial void Attached(ILogger logger, string disk, int lun);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Text}")]
    public static partial void Debug(ILogger logger, string text);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Text}")]
    public static partial void Information(ILogger logger, string text);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Text}")]
    public static partial void Warning(ILogger logger, string text);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Text}")]
    public static partial void Error(ILogger logger, Exception? exception, string text);
}
