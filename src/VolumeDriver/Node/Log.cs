using Microsoft.Extensions.Logging;

namespace VolumeDriver.Node;

/// <summary>The node side's log messages (device lookup, probe, format, mount, unmount).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Found {Identity} at {Device} after {Attempts} looks in {ElapsedMs:0} ms")]
    public static partial void DeviceFound(this ILogger logger, string identity, string device, int attempts, double elapsedMs);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Probed {Device}: it holds {Contents}")]
    public static partial void Probed(this ILogger logger, string device, string contents);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Formatting blank device {Device} as {FsType}")]
    public static partial void FormatStarting(this ILogger logger, string device, string fsType);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Formatted {Device} as {FsType} in {ElapsedMs:0} ms")]
    public static partial void Formatted(this ILogger logger, string device, string fsType, double elapsedMs);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "Mounted {Device} ({FsType}) at {MountPath} with options '{Options}' in {ElapsedMs:0} ms")]
    public static partial void Mounted(this ILogger logger, string device, string fsType, string mountPath, string options, double elapsedMs);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information, Message = "{Device} is already mounted at {MountPath}; nothing to do")]
    public static partial void AlreadyMounted(this ILogger logger, string device, string mountPath);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Information, Message = "Unmounted {Device} from {MountPath} ({Count} umount calls) in {ElapsedMs:0} ms")]
    public static partial void Unmounted(this ILogger logger, string device, string mountPath, int count, double elapsedMs);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Information, Message = "Nothing is mounted at {MountPath}; nothing to unmount")]
    public static partial void NothingToUnmount(this ILogger logger, string mountPath);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Warning, Message = "Refused to use {Device} for {MountPath}: {Reason}")]
    public static partial void Refused(this ILogger logger, string device, string mountPath, string reason);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Information, Message = "Waiting up to {TimeoutSeconds:0} s for {Identity}")]
    public static partial void WaitingForDevice(this ILogger logger, string identity, double timeoutSeconds);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Information, Message = "Asked the kernel to rescan {Device} for its size ({RescanFile})")]
    public static partial void Rescanned(this ILogger logger, string device, string rescanFile);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Information, Message = "Grew the {FsType} filesystem on {Device} at {MountPath} to fill {DeviceBytes} bytes in {ElapsedMs:0} ms")]
    public static partial void FilesystemGrown(this ILogger logger, string device, string fsType, string mountPath, long deviceBytes, double elapsedMs);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Information, Message = "Scanned blank device {Device} for data without a signature in {ElapsedMs:0.0} ms: found {Found}")]
    public static partial void ScannedForData(this ILogger logger, string device, string found, double elapsedMs);

    [LoggerMessage(EventId = 3014, Level = LogLevel.Information, Message = "Waiting for the lock on {Device}: another process holds it (a concurrent mountdevice, or a tool a killed driver started)")]
    public static partial void WaitingForDeviceLock(this ILogger logger, string device);
}
