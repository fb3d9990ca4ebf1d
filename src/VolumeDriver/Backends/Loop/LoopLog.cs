using Microsoft.Extensions.Logging;

namespace VolumeDriver.Backends.Loop;

/// <summary>The loop backend's log messages.</summary>
internal static partial class LoopLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Created volume {Volume} as {Image} ({Bytes} bytes, sparse)")]
    public static partial void Created(ILogger logger, string volume, string image, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Volume {Volume} already exists with {Existing}, smaller than the {Wanted} asked for; it is used as it is (resize is a separate operation)")]
    public static partial void ExistingImageSmaller(ILogger logger, string volume, string existing, string wanted);

    [LoggerMessage(Level = LogLevel.Information, Message = "Volume {Volume} is already attached as {Device}")]
    public static partial void AlreadyAttached(ILogger logger, string volume, string device);

    [LoggerMessage(Level = LogLevel.Information, Message = "Attached volume {Volume} as {Device}")]
    public static partial void Attached(ILogger logger, string volume, string device);

    [LoggerMessage(Level = LogLevel.Information, Message = "Detached volume {Volume} from {Device}")]
    public static partial void Detached(ILogger logger, string volume, string device);

    [LoggerMessage(Level = LogLevel.Information, Message = "Volume {Volume} cannot be attached to node {Node} (not this machine): nothing to detach")]
    public static partial void NotAttachedToForeignNode(ILogger logger, string volume, string node);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted volume {Volume} ({Image})")]
    public static partial void Deleted(ILogger logger, string volume, string image);

    [LoggerMessage(Level = LogLevel.Information, Message = "Volume {Volume} does not exist: nothing to delete")]
    public static partial void AlreadyDeleted(ILogger logger, string volume);

    [LoggerMessage(Level = LogLevel.Information, Message = "Grew volume {Volume} ({Image}) from {FromBytes} to {ToBytes} bytes")]
    public static partial void Grown(ILogger logger, string volume, string image, long fromBytes, long toBytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Volume {Volume} already has {Bytes} bytes: the image is not changed")]
    public static partial void AlreadySized(ILogger logger, string volume, long bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Volume {Volume}: {Device} now has {Bytes} bytes (losetup --set-capacity)")]
    public static partial void CapacitySet(ILogger logger, string volume, string device, long bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Path}, a temporary image of volume {Volume} left by an interrupted create")]
    public static partial void RemovedAbandonedTemporary(ILogger logger, string volume, string path);
}
