using VolumeDriver.Backends.VCloud.Models;
using VolumeDriver.Errors;

namespace VolumeDriver.Backends.VCloud;

/// <summary>A vCD task ended in error, aborted or canceled.</summary>
internal sealed class VCloudTaskFailedException : VolumeDriverException
{
    public VCloudTaskFailedException(VCloudTask task, string message)
        : base(message)
    {
        Task = task;
    }

    public VCloudTask Task { get; }
}
