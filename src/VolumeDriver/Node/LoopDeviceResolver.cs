using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.Host;

namespace VolumeDriver.Node;

/// <summary>
/// Finds the loop device backed by a file by reading <c>/sys/block/loop*/loop/backing_file</c>,
/// which the kernel writes for every attached loop device. Only an exact match counts: when the file
/// has been deleted while attached the kernel appends " (deleted)", and such a device is not the
/// volume's disk any more.
/// </summary>
internal sealed class LoopDeviceResolver : IDeviceResolver
{
    private readonly HostRoot _hostRoot;
    private readonly LoopDevices _loopDevices;

    public LoopDeviceResolver(HostRoot hostRoot, LoopDevices loopDevices)
    {
        _hostRoot = hostRoot;
        _loopDevices = loopDevices;
    }

    public bool CanResolve(DiskIdentity identity) => identity is LoopBackingFileIdentity;

    public async Task<DeviceResolution> ResolveAsync(DiskIdentity identity, CancellationToken cancellationToken)
    {
        var backingFile = ((LoopBackingFileIdentity)identity).BackingFile;

        // The kernel shows the file's canonical path; accept the path as given and as resolved.
        var wanted = new HashSet<string>(StringComparer.Ordinal) { backingFile, HostPaths.ResolveLinks(_hostRoot, backingFile) };

        var candidates = (await _loopDevices.ListAsync(cancellationToken)).Where(d => wanted.Contains(d.BackingFile)).ToList();
        var matches = candidates.Where(d => !d.BackingFileDeleted).Select(d => d.DevicePath).ToList();
        var deleted = candidates.Where(d => d.BackingFileDeleted).Select(d => d.DevicePath).ToList();

        if (matches.Count > 1)
        {
            // Two loop devices over one file are two caches of the same bytes: mounting either can
            // corrupt the filesystem. Refuse rather than pick one.
            throw new UnsafeOperationException(
                $"{backingFile} is attached to more than one loop device ({string.Join(", ", matches)}); "
                + "using either could corrupt the volume. Detach the extra ones with 'losetup -d' once nothing has them mounted.");
        }

        if (matches.Count == 1)
        {
            return DeviceResolution.Found(matches[0]);
        }

        return deleted.Count == 0
            ? DeviceResolution.NotFound
            : new DeviceResolution(
                null,
                $"{string.Join(", ", deleted)} is backed by a deleted file of that name (the image was deleted or replaced while attached), "
                + "which is not this volume's disk");
    }

    public string WhatToCheck(DiskIdentity identity) =>
        $"check that the volume is attached on this node ('losetup -a' should list {((LoopBackingFileIdentity)identity).BackingFile}) "
        + "and that the file exists";
}
