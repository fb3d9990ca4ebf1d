using System.Collections.Concurrent;
using VolumeDriver.Domain;
using VolumeDriver.Node;

namespace VolumeDriver.Tests.TestSupport;

/// <summary>A node whose devices and mounts are in memory, for workflow and CLI tests.</summary>
internal sealed class FakeNode : IDeviceLocator, IDeviceMounter, IFilesystemResizer
{
    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>Backing file → device, as the locator would find it.</summary>
    public Dictionary<string, string> Devices { get; } = new(StringComparer.Ordinal);

    public Task<string> WaitForDeviceAsync(DiskIdentity identity, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"locate {identity.Describe()}");
        var file = ((LoopBackingFileIdentity)identity).BackingFile;
        return Devices.TryGetValue(file, out var device)
            ? Task.FromResult(device)
            : throw new Errors.DeviceNotFoundException(identity.Describe(), timeout, $"no device for {file}");
    }

    public Task<MountDeviceOutcome> MountDeviceAsync(MountDeviceRequest request, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"mount {request.DevicePath} {request.MountPath} {FsTypes.Name(request.FsType)} ro={request.ReadOnly} [{string.Join(',', request.Options.Items)}]");
        return Task.FromResult(new MountDeviceOutcome(Formatted: false, AlreadyMounted: false, request.DevicePath));
    }

    public Task<FilesystemResizeOutcome> ResizeAsync(FilesystemResizeRequest request, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"expandfs {request.DevicePath} {request.MountPath} {request.NewSize}");
        return Task.FromResult(new FilesystemResizeOutcome(request.DevicePath, "ext4", request.NewSize.Bytes));
    }

    public Task<UnmountOutcome> UnmountAsync(string mountPath, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"unmount {mountPath}");
        return Task.FromResult(new UnmountOutcome(null));
    }
}
