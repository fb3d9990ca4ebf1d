using Microsoft.Extensions.Logging;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.Host;

namespace VolumeDriver.Node;

/// <summary>
/// Finds a vCloud disk by its WWN, never as "the next device that appeared" (the Python driver's
/// race, which could hand one volume another's disk). It first asks every SCSI host to rescan, as a
/// hot-added disk may not be seen until then, then looks for udev's
/// <c>/dev/disk/by-id/wwn-0x&lt;hex&gt;</c> and checks it against the device's own sysfs wwid. Without
/// udev links it reads <c>/sys/block/*/device/wwid</c> itself. A disk the Python driver partitioned
/// (one partition) is answered with its <c>-part1</c> path: its filesystem lives there.
/// </summary>
internal sealed partial class VCloudDeviceResolver : IDeviceResolver
{
    private readonly HostRoot _host;
    private readonly ScsiHostRescanner _rescanner;
    private readonly ILogger _logger;

    public VCloudDeviceResolver(HostRoot host, TimeProvider timeProvider, ILogger<VCloudDeviceResolver> logger)
    {
        _host = host;
        _rescanner = new ScsiHostRescanner(host, timeProvider, logger);
        _logger = logger;
    }

    public bool CanResolve(DiskIdentity identity) => identity is VCloudDiskIdentity;

    public Task<DeviceResolution> ResolveAsync(DiskIdentity identity, CancellationToken cancellationToken)
    {
        var disk = (VCloudDiskIdentity)identity;
        _rescanner.RescanIfDue();

        foreach (var prefix in new[] { "wwn-0x", "scsi-3" })
        {
            var link = "/dev/disk/by-id/" + prefix + disk.Wwn;
            if (new FileInfo(_host.Map(link)).LinkTarget is null)
            {
                continue;
            }

            var device = HostPaths.ResolveLinks(_host, link);
            var name = Path.GetFileName(device);
            CheckWwid(disk, name);
            return Task.FromResult(DeviceResolution.Found(WithLegacyPartition(disk, name, "/dev/disk/by-id/wwn-0x" + disk.Wwn, foundByLink: true)));
        }

        // No udev links (udev not running in this mount namespace): read the identity from sysfs.
        var sysBlock = _host.Map("/sys/block");
        if (Directory.Exists(sysBlock))
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(sysBlock))
            {
                var name = Path.GetFileName(entry);
                if (ReadWwid(name) is { } wwid && WwidMatches(wwid, disk.Wwn))
                {
                    return Task.FromResult(new DeviceResolution(
                        WithLegacyPartition(disk, name, "/dev/" + name, foundByLink: false),
                        "udev made no /dev/disk/by-id link for it, so its kernel name is used"));
                }
            }
        }

        return Task.FromResult(DeviceResolution.NotFound);
    }

    public string WhatToCheck(DiskIdentity identity) =>
        $"check that the disk is attached to this node's VM in vCloud Director and that the VM has disk.enableUUID=TRUE (without it the guest sees no WWN, so /dev/disk/by-id/wwn-0x{((VCloudDiskIdentity)identity).Wwn} never appears)";

    /// <summary>
    /// The whole disk, or its only partition when the disk carries exactly one (the Python driver made
    /// one partition on every disk): udev's <c>-part1</c> link when the disk was found by link, else the
    /// partition's kernel name. More partitions are not a layout this driver made, so it refuses.
    /// </summary>
    private string WithLegacyPartition(VCloudDiskIdentity disk, string name, string wholeDiskPath, bool foundByLink)
    {
        var partitions = Partitions(name);
        if (partitions.Count == 0)
        {
            return wholeDiskPath;
        }

        if (partitions.Count > 1)
        {
            throw new UnsafeOperationException(
                $"{disk.Describe()} ({name}) has {partitions.Count} partitions ({string.Join(", ", partitions)}); this driver mounts only the single partition the Python vCloud driver made. Mount it by hand, or move the data to a new volume.");
        }

        var partitionPath = foundByLink ? wholeDiskPath + "-part1" : "/dev/" + partitions[0];
        var described = disk.Describe();
        LogLegacyPartition(_logger, described, partitionPath);
        return partitionPath;
    }

    private List<string> Partitions(string name)
    {
        var directory = _host.Map("/sys/class/block/" + name);
        if (!Directory.Exists(directory))
        {
            return [];
        }

        return Directory.EnumerateDirectories(directory)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(child => child.StartsWith(name, StringComparison.Ordinal) && File.Exists(Path.Join(directory, child, "partition")))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private void CheckWwid(VCloudDiskIdentity disk, string name)
    {
        if (ReadWwid(name) is { } wwid && !WwidMatches(wwid, disk.Wwn))
        {
            throw new UnsafeOperationException(
                $"/dev/disk/by-id/wwn-0x{disk.Wwn} points at {name}, but the kernel reports that device's WWID as '{wwid}'; a stale udev link must never decide which disk is mounted. Run 'udevadm trigger --subsystem-match=block' and retry.");
        }
    }

    private string? ReadWwid(string name)
    {
        var path = _host.Map("/sys/class/block/" + name + "/device/wwid");
        try
        {
            return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The kernel writes the NAA designator as naa.&lt;hex&gt; (case varies by driver).</summary>
    private static bool WwidMatches(string wwid, string wwn) =>
        wwid.StartsWith("naa.", StringComparison.OrdinalIgnoreCase) && string.Equals(wwid[4..], wwn, StringComparison.OrdinalIgnoreCase);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Disk} carries one partition (made by the Python vCloud driver); its filesystem is at {Partition}")]
    private static partial void LogLegacyPartition(ILogger logger, string disk, string partition);
}
