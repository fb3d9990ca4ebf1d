namespace VolumeDriver.Errors;

/// <summary>
/// The driver refused to do something that could lose data: format a device that holds a signature,
/// detach a disk that is still mounted, delete an attached disk.
/// </summary>
internal sealed class UnsafeOperationException : VolumeDriverException
{
    public UnsafeOperationException(string message)
        : base(message)
    {
    }
}
