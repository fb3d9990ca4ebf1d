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
    private const string SysBlock = "/sys/block";
    private const string DeletedSuffix = " (deleted)";

    private readonly HostRoot _hostRoot;

    public LoopDeviceResolver(HostRoot hostRoot)
    {
        _hostRoot = hostRoot;
    }

    public bool CanResolve(DiskIdentity identity) => identity is LoopBackingFileIdentity;

    public async Task<DeviceResolution> ResolveAsync(DiskIdentity identity, CancellationToken cancellationToken)
    {
        var backingFile = ((LoopBackingFileIdentity)identity).BackingFile;

        // The kernel shows the file's canonical path; accept the path as given and as resolved.
        var wanted = new HashSet<string>(StringComparer.Ordinal) { backingFile, HostPaths.ResolveLinks(_hostRoot, backingFile) };

        var matches = new List<string>();
        var deleted = new List<string>();
        foreach (var (name, attachedFile) in await ReadBackingFilesAsync(cancellationToken))
        {
            if (wanted.Contains(attachedFile))
            {
                matches.Add(name);
            }
            else if (attachedFile.EndsWith(DeletedSuffix, StringComparison.Ordinal) && wanted.Contains(attachedFile[..^DeletedSuffix.Length]))
            {
                deleted.Add(name);
            }
        }

        if (matches.Count > 1)
        {
            // Two loop devices over one file are two caches of the same bytes: mounting either can
            // corrupt the filesystem. Refuse rather than pick one.
            throw new UnsafeOperationException(
                $"{backingFile} is attached to more than one loop device ({string.Join(", ", matches.Select(DevicePath))}); "
                + "using either could corrupt the volume. Detach the extra ones with 'losetup -d' once nothing has them mounted.");
        }

        if (matches.Count == 1)
        {
            return DeviceResolution.Found(DevicePath(matches[0]));
        }

        return deleted.Count == 0
            ? DeviceResolution.NotFound
            : new DeviceResolution(
                null,
                $"{string.Join(", ", deleted.Select(DevicePath))} is backed by a deleted file of that name (the image was deleted or replaced while attached), "
                + "which is not this volume's disk");
    }

    public string WhatToCheck(DiskIdentity identity) =>
        $"check that the volume is attached on this node ('losetup -a' should list {((LoopBackingFileIdentity)identity).BackingFile}) "
        + "and that the file exists";

    private static string DevicePath(string name) => "/dev/" + name;

    private async Task<List<(string Name, string BackingFile)>> ReadBackingFilesAsync(CancellationToken cancellationToken)
    {
        var found = new List<(string, string)>();
        var sysBlock = new DirectoryInfo(_hostRoot.Map(SysBlock));
        if (!sysBlock.Exists)
        {
            return found;
        }

        // Sorted, so the result (and any message) does not depend on directory order.
        foreach (var device in sysBlock.EnumerateFileSystemInfos("loop*").OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            var backingFilePath = Path.Join(device.FullName, "loop", "backing_file");
            string content;
            try
            {
                content = await File.ReadAllTextAsync(backingFilePath, cancellationToken);
            }
            catch (IOException e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                // A loop device with nothing attached has no backing_file.
                continue;
            }

            found.Add((device.Name, content.TrimEnd('\n')));
        }

        return found;
    }
}
