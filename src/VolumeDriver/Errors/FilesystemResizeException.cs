namespace VolumeDriver.Errors;

/// <summary>
/// The node could not grow a volume's filesystem: it is not mounted where kubelet says, the device
/// has not grown, or it holds a filesystem this driver does not grow. (A tool that fails raises
/// <see cref="CommandFailedException"/>; a device that is not the volume's raises <see cref="UnsafeOperationException"/>.)
/// </summary>
internal sealed class FilesystemResizeException : VolumeDriverException
{
    public FilesystemResizeException(string device, string mountPath, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Device = device;
        MountPath = mountPath;
    }

    public string Device { get; }

    public string MountPath { get; }
}
