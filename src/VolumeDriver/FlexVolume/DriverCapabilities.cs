namespace VolumeDriver.FlexVolume;

/// <summary>
/// The capabilities <c>init</c> reports. kubelet decodes them into a struct pre-filled with defaults,
/// so every field is written explicitly; they are JSON booleans, never strings, and the object is
/// never null (kubelet dereferences it).
/// </summary>
internal sealed record DriverCapabilities(
    bool Attach,
    bool SELinuxRelabel,
    bool SupportsMetrics,
    bool FsGroup,
    bool RequiresFSResize)
{
    /// <summary>
    /// What this driver supports: attach/detach through kubelet's attachable plugin; a real block
    /// filesystem, so SELinux relabelling, statfs metrics and kubelet's fsGroup ownership change all
    /// work. Online resize: expandvolume grows the disk and, because requiresFSResize is true, kubelet
    /// then calls expandfs on the node to grow the mounted filesystem.
    /// </summary>
    public static DriverCapabilities Current { get; } = new(
        Attach: true,
        SELinuxRelabel: true,
        SupportsMetrics: true,
        FsGroup: true,
        RequiresFSResize: true);
}
