using VolumeDriver.Backends;
using VolumeDriver.Domain;
using VolumeDriver.Errors;

namespace VolumeDriver.FlexVolume;

/// <summary>
/// The cloud-side verbs: attach, isattached, detach, expandvolume, and the operator's delete. They may run on the
/// controller instead of the node, so they talk to the backend only and never look at local devices.
/// </summary>
internal sealed class AttachDetachWorkflow
{
    private readonly ICloudDisk _disk;
    private readonly FlexOptionsParser _parser;

    public AttachDetachWorkflow(ICloudDisk disk, FlexOptionsParser parser)
    {
        _disk = disk;
        _parser = parser;
    }

    /// <summary><c>attach &lt;json&gt; &lt;nodeName&gt;</c>: creates the disk on first use and attaches it.</summary>
    public async Task<Reply> AttachAsync(string optionsJson, string nodeName, CancellationToken cancellationToken)
    {
        var options = _parser.Parse(optionsJson);
        var node = ParseNode(nodeName);
        var result = await _disk.AttachAsync(options.ToDiskRequest(), node, cancellationToken);
        return Reply.WithDevice(result.DevicePath);
    }

    /// <summary><c>isattached &lt;json&gt; &lt;nodeName&gt;</c> (older kubelets: the other way round).</summary>
    public async Task<Reply> IsAttachedAsync(string first, string second, CancellationToken cancellationToken)
    {
        var (optionsJson, nodeName) = IsJsonArgument(first) || !IsJsonArgument(second) ? (first, second) : (second, first);
        var options = _parser.Parse(optionsJson);
        var node = ParseNode(nodeName);
        var attached = await _disk.IsAttachedAsync(options.ToDiskRequest(), node, cancellationToken);
        return Reply.WithAttached(attached);
    }

    /// <summary><c>detach &lt;pvOrVolumeName&gt; &lt;nodeName&gt;</c>: the first argument is a name, not a device.</summary>
    public async Task<Reply> DetachAsync(string volumeName, string nodeName, CancellationToken cancellationToken)
    {
        var volume = ParseVolume(volumeName);
        var node = ParseNode(nodeName);
        await _disk.DetachAsync(volume, node, cancellationToken);
        return Reply.Success();
    }

    /// <summary>
    /// <c>expandvolume &lt;json&gt; &lt;deviceMountPath&gt; &lt;newSizeBytes&gt; &lt;oldSizeBytes&gt;</c>: grows the disk
    /// in the cloud (never shrinks it). The mount path is only checked: this may run on the controller.
    /// </summary>
    public async Task<Reply> ExpandVolumeAsync(string optionsJson, string deviceMountPath, string newSizeBytes, string oldSizeBytes, CancellationToken cancellationToken)
    {
        HostPathArgument.RequireDeviceMountPath(deviceMountPath, "deviceMountPath");
        var (newSize, _) = SizeArgument.ParseGrowth(newSizeBytes, oldSizeBytes);
        var options = _parser.Parse(optionsJson);
        await _disk.ResizeAsync(options.ToDiskRequest(), newSize, cancellationToken);
        return Reply.Success();
    }

    /// <summary><c>delete &lt;volumeName&gt;</c>: an operator removing a disk by hand.</summary>
    public async Task<Reply> DeleteAsync(string volumeName, CancellationToken cancellationToken)
    {
        var volume = ParseVolume(volumeName);
        await _disk.DeleteAsync(volume, cancellationToken);
        return Reply.Success();
    }

    /// <summary><c>list</c>: the volumes in the configured backend, for operators.</summary>
    public Task<IReadOnlyList<VolumeSummary>> ListAsync(CancellationToken cancellationToken) => _disk.ListAsync(cancellationToken);

    /// <summary>kubelet's options are always a JSON object; a node name never starts with '{'.</summary>
    internal static bool IsJsonArgument(string argument) => argument.AsSpan().TrimStart().StartsWith("{", StringComparison.Ordinal);

    private static NodeName ParseNode(string nodeName) =>
        NodeName.TryCreate(nodeName, out var node, out var problem)
            ? node.Value
            : throw new InvalidOptionException("nodeName", $"node name '{PrintableText.Of(nodeName)}' is not valid: {problem}");

    private static VolumeName ParseVolume(string volumeName) =>
        VolumeName.TryCreate(volumeName, out var volume, out var problem)
            ? volume.Value
            : throw new InvalidOptionException("volumeName", $"volume name '{PrintableText.Of(volumeName)}' is not valid: {problem}");
}
