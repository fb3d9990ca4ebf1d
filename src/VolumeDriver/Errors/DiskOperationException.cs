namespace VolumeDriver.Errors;

/// <summary>A backend could not carry out a disk operation (create, attach, detach, delete).</summary>
internal sealed class DiskOperationException : VolumeDriverException
{
    public DiskOperationException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
