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
/// A disk without a UUID (<see cref="VCloudSlotIdentity"/>) is located by asking vCloud where it sits
/// on this node's VM and matching that controller's fingerprint against the kernel's SCSI hosts
/// (<see cref="ScsiSlotMatcher"/>).
/// </summary>
internal sealed partial class VCloudDeviceResolver : IDeviceResolver
{
    private readonly HostRoot _host;
    private readonly ScsiHostRescanner _rescanner;
    private readonly ILogger _logger;
    private readonly IVmDiskLayoutSource? _layouts;
    private readonly Func<NodeName> _localNode;

    /// <param name="layouts">vCloud's view of the VM's disks, for disks without a UUID (null outside the vCloud backend).</param>
    /// <param name="localNode">This machine's node name, asked for only when a layout is needed.</param>
    public VCloudDeviceResolver(HostRoot host, TimeProvider timeProvider, ILogger<VCloudDeviceResolver> logger, IVmDiskLayoutSource? layouts = null, Func<NodeName>? localNode = null)
    {
        _host = host;
        _rescanner = new ScsiHostRescanner(host, timeProvider, logger);
        _logger = logger;
        _layouts = layouts;
        _localNode = localNode ?? (() => throw new InvalidOperationException("no local node name was given"));
    }

    public bool CanResolve(DiskIdentity identity) => identity is VCloudDiskIdentity || (identity is VCloudSlotIdentity && _layouts is not null);

    public Task<DeviceResolution> ResolveAsync(DiskIdentity identity, CancellationToken cancellationToken) => identity switch
    {
        VCloudDiskIdentity disk => Task.FromResult(ResolveByWwn(disk)),
        VCloudSlotIdentity slot => ResolveBySlotAsync(slot, cancellationToken),
        _ => throw new ArgumentException($"{identity.GetType().Name} is not a vCloud identity", nameof(identity)),
    };

    public string WhatToCheck(DiskIdentity identity) => identity switch
    {
        VCloudDiskIdentity disk => $"check that the disk is attached to this node's VM in vCloud Director and that the VM has disk.enableUUID=TRUE (without it the guest sees no WWN, so /dev/disk/by-id/wwn-0x{disk.Wwn} never appears)",
        _ => "check that the disk is attached to this node's VM in vCloud Director (its hardware section lists it) and that the kernel sees it (lsscsi); the guest's SCSI controllers are matched by the units and sizes vCloud reports on them",
    };

    /// <summary>
    /// One look by slot: vCloud's layout of the VM (three requests), then a rescan and the kernel's
    /// SCSI table. A disk that turns out to have a UUID is looked for by WWN first, as that needs no
    /// matching; the slot still finds it on a VM whose guest sees no WWN (no disk.enableUUID).
    /// </summary>
    private async Task<DeviceResolution> ResolveBySlotAsync(VCloudSlotIdentity disk, CancellationToken cancellationToken)
    {
        var layout = await _layouts!.ReadLayoutAsync(disk.DiskName, _localNode(), cancellationToken);
        if (layout.VolumeWwn is { } wwn && ResolveByWwn(new VCloudDiskIdentity(disk.DiskName, wwn)) is { DevicePath: not null } byWwn)
        {
            return byWwn;
        }

        if (layout.Volume is { Controller.IsScsi: false } volume)
        {
            throw new UnsafeOperationException(
                $"{disk.Describe()} sits on {volume.Controller} of VM '{layout.VmName}'; without a UUID (vCloud API ≥ 36 and disk.enableUUID) only disks on SCSI controllers can be located. Attach it with busType 6 (SCSI), or upgrade vCloud Director.");
        }

        _rescanner.RescanIfDue();
        var match = ScsiSlotMatcher.Match(layout, ScsiDevices.Read(_host));
        if (match.Device?.BlockName is not { } name)
        {
            return new DeviceResolution(null, match.Observation);
        }

        var byPath = StableLinkTo(name);
        var described = disk.Describe();
        var address = match.Device.Address.ToString();
        LogFoundBySlot(_logger, described, address, name);
        return DeviceResolution.Found(WithLegacyPartition(disk, name, byPath ?? "/dev/" + name, foundByLink: byPath is not null));
    }

    /// <summary>udev's /dev/disk/by-path link to the device (stable across reboots for a fixed controller), if it made one.</summary>
    private string? StableLinkTo(string name)
    {
        var directory = _host.Map("/dev/disk/by-path");
        if (!Directory.Exists(directory))
        {
            return null;
        }

        return Directory.EnumerateFileSystemEntries(directory)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .Select(link => "/dev/disk/by-path/" + link)
            .FirstOrDefault(link => !link.Contains("-part", StringComparison.Ordinal) && Path.GetFileName(HostPaths.ResolveLinks(_host, link)) == name);
    }

    private DeviceResolution ResolveByWwn(VCloudDiskIdentity disk)
    {
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
            return DeviceResolution.Found(WithLegacyPartition(disk, name, "/dev/disk/by-id/wwn-0x" + disk.Wwn, foundByLink: true));
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
                    return new DeviceResolution(
                        WithLegacyPartition(disk, name, "/dev/" + name, foundByLink: false),
                        "udev made no /dev/disk/by-id link for it, so its kernel name is used");
                }
            }
        }

        return DeviceResolution.NotFound;
    }

    /// <summary>
    /// The whole disk, or its only partition when the disk carries exactly one (the Python driver made
    /// one partition on every disk): udev's <c>-part1</c> link when the disk was found by link, else the
    /// partition's kernel name. More partitions are not a layout this driver made, so it refuses.
    /// </summary>
    private string WithLegacyPartition(DiskIdentity disk, string name, string wholeDiskPath, bool foundByLink)
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

    [LoggerMessage(Level = LogLevel.Information, Message = "{Disk} is at SCSI address {Address} ({Name}): the only host whose disks match what vCloud reports on the disk's controller")]
    private static partial void LogFoundBySlot(ILogger logger, string disk, string address, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Disk} carries one partition (made by the Python vCloud driver); its filesystem is at {Partition}")]
    private static partial void LogLegacyPartition(ILogger logger, string disk, string partition);
}
