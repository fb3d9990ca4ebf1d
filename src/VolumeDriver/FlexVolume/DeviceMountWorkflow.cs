using VolumeDriver.Backends;
using VolumeDriver.Configuration;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.Host;
using VolumeDriver.Node;

namespace VolumeDriver.FlexVolume;

/// <summary>
/// The node-side verbs: waitforattach, mountdevice, unmountdevice, expandfs. The backend only
/// contributes the disk's identity (a pure computation); finding, formatting, mounting and growing
/// the device's filesystem is the node's.
/// </summary>
internal sealed class DeviceMountWorkflow
{
    /// <summary>mountdevice re-finds an already attached device; it should be there at once.</summary>
    private static readonly TimeSpan VerifyTimeout = TimeSpan.FromSeconds(10);

    private readonly ICloudDisk _disk;
    private readonly FlexOptionsParser _parser;
    private readonly IDeviceLocator _locator;
    private readonly IDeviceMounter _mounter;
    private readonly IFilesystemResizer _resizer;
    private readonly NodeConfiguration _configuration;
    private readonly HostRoot _host;
    private readonly INodeHooks? _hooks;

    public DeviceMountWorkflow(ICloudDisk disk, FlexOptionsParser parser, IDeviceLocator locator, IDeviceMounter mounter, IFilesystemResizer resizer, NodeConfiguration configuration, HostRoot host, INodeHooks? hooks = null)
    {
        _hooks = hooks;
        _host = host;
        _disk = disk;
        _parser = parser;
        _locator = locator;
        _mounter = mounter;
        _resizer = resizer;
        _configuration = configuration;
    }

    /// <summary><c>waitforattach &lt;devicePath&gt; &lt;json&gt;</c>: finds the device by identity (devicePath may be empty).</summary>
    public async Task<Reply> WaitForAttachAsync(string devicePath, string optionsJson, CancellationToken cancellationToken)
    {
        var attachedPath = devicePath.Length == 0 ? null : HostPathArgument.RequireDevicePath(devicePath, "devicePath");
        var options = _parser.Parse(optionsJson);
        var identity = _disk.IdentityFor(options.ToDiskRequest(), attachedPath);
        var device = await _locator.WaitForDeviceAsync(identity, _configuration.DeviceTimeout, cancellationToken);
        return Reply.WithDevice(device);
    }

    /// <summary>
    /// <c>mountdevice &lt;deviceMountPath&gt; &lt;devicePath&gt; &lt;json&gt;</c>: checks the device really is this
    /// volume's disk, then formats it only if blank, and mounts it.
    /// </summary>
    public async Task<Reply> MountDeviceAsync(string mountPath, string devicePath, string optionsJson, CancellationToken cancellationToken)
    {
        var (target, pathVolume) = HostPathArgument.RequireDeviceMountPath(mountPath, "deviceMountPath");
        var device = HostPathArgument.RequireDevicePath(devicePath, "devicePath");
        var options = _parser.Parse(optionsJson);
        var request = options.ToDiskRequest();
        if (pathVolume != request.Name.Value)
        {
            throw new InvalidOptionException("deviceMountPath", $"deviceMountPath {target} belongs to volume '{PrintableText.Of(pathVolume)}', not to {request.Name}; kubelet names the directory after the volume");
        }

        if (!options.MountOptions.TryApplyPolicy(options.ReadOnly, _configuration.AllowSuidAndDevices, out var mountOptions, out var problem))
        {
            throw new InvalidOptionException(OptionKeys.MountOptions, $"{OptionKeys.MountOptions}: {problem}");
        }

        // A stale or wrong devicePath must never reach mkfs: the device must carry this volume's identity.
        await RequireVolumeDeviceAsync(request, device, "mount", cancellationToken);
        RequireNoLinksInLayout(target, "mount on");
        await _mounter.MountDeviceAsync(new MountDeviceRequest(device, target, options.FsType, options.ReadOnly, mountOptions), cancellationToken);
        return Reply.Success();
    }

    /// <summary><c>unmountdevice &lt;deviceMountPath&gt;</c>: no options; the device comes from the mount table.</summary>
    public async Task<Reply> UnmountDeviceAsync(string mountPath, CancellationToken cancellationToken)
    {
        var (target, _) = HostPathArgument.RequireDeviceMountPath(mountPath, "deviceMountPath");
        RequireNoLinksInLayout(target, "unmount");
        var outcome = await _mounter.UnmountAsync(target, cancellationToken);
        _hooks?.AfterUnmount(outcome.Device);
        return Reply.Success();
    }

    /// <summary>
    /// <c>expandfs &lt;json&gt; &lt;devicePath&gt; &lt;deviceMountPath&gt; &lt;newSizeBytes&gt; &lt;oldSizeBytes&gt;</c>:
    /// checks the device really is this volume's disk, then grows its mounted filesystem online.
    /// </summary>
    public async Task<Reply> ExpandFsAsync(string optionsJson, string devicePath, string mountPath, string newSizeBytes, string oldSizeBytes, CancellationToken cancellationToken)
    {
        var device = HostPathArgument.RequireDevicePath(devicePath, "devicePath");
        var (target, _) = HostPathArgument.RequireDeviceMountPath(mountPath, "deviceMountPath");
        var (newSize, _) = SizeArgument.ParseGrowth(newSizeBytes, oldSizeBytes);
        var options = _parser.Parse(optionsJson);

        // Growing the wrong filesystem is harmless to its data, but it would report this volume resized when it is not.
        await RequireVolumeDeviceAsync(options.ToDiskRequest(), device, "grow the filesystem on", cancellationToken);
        await _resizer.ResizeAsync(new FilesystemResizeRequest(device, target, newSize), cancellationToken);
        return Reply.Success();
    }

    /// <summary>Refuses a device that does not carry the volume's identity (a stale devicePath).</summary>
    private async Task RequireVolumeDeviceAsync(DiskRequest request, string device, string action, CancellationToken cancellationToken)
    {
        var identity = _disk.IdentityFor(request, device);
        var expected = await _locator.WaitForDeviceAsync(identity, VerifyTimeout, cancellationToken);
        if (!SameDevice(device, expected))
        {
            throw new UnsafeOperationException($"refusing to {action} {device} for volume {request.Name}: that volume's disk is {expected} ({identity.Describe()}); kubelet's devicePath is stale, retry waitforattach");
        }
    }

    /// <summary>
    /// kubelet makes every directory from <c>plugins</c> down to the volume's itself, and none is a
    /// symbolic link; one that is would take a mount (or an unmount) out of kubelet's layout to
    /// wherever it points. The kubelet root above may be a link (a moved /var/lib/kubelet is common).
    /// </summary>
    private void RequireNoLinksInLayout(string deviceMountPath, string action)
    {
        var link = HostPaths.FindLinkBelow(_host, deviceMountPath, HostPathArgument.DeviceMountPathLayoutDepth);
        if (link is not null)
        {
            throw new InvalidOptionException(
                "deviceMountPath",
                $"refusing to {action} {deviceMountPath}: {link.Value.Path} is a symbolic link (to {PrintableText.Of(link.Value.Target)}), and kubelet's "
                + "plugins/kubernetes.io/flexvolume/<vendor>/<driver>/mounts/<volume> layout has none; following it would leave the layout. "
                + "Check who made the link, and replace it with the directory kubelet expects.");
        }
    }

    private bool SameDevice(string given, string expected) =>
        given == expected || HostPaths.ResolveLinks(_host, given) == HostPaths.ResolveLinks(_host, expected);
}
