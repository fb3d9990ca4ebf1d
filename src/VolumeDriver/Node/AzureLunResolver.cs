using Microsoft.Extensions.Logging;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.Host;

namespace VolumeDriver.Node;

/// <summary>
/// Finds an Azure data disk by its LUN, as the in-tree plugin and the CSI driver do: after a SCSI
/// rescan, the SCSI device H:C:T:LUN whose vendor is MSFT and model VIRTUAL DISK, excluding the OS
/// and resource disks that udev's /dev/disk/azure/root and /resource name (without those links,
/// hosts 0 to 3, where Azure puts them, are skipped). It answers with the stable
/// /dev/disk/azure/scsi1/lunN link when udev made it for that device, never with a bare /dev/sdX
/// unless there is no link. Two devices at one LUN is refused, never guessed.
/// </summary>
internal sealed class AzureLunResolver : IDeviceResolver
{
    private readonly HostRoot _host;
    private readonly ScsiHostRescanner _rescanner;

    public AzureLunResolver(HostRoot host, TimeProvider timeProvider, ILogger<AzureLunResolver> logger)
    {
        _host = host;
        _rescanner = new ScsiHostRescanner(host, timeProvider, logger);
    }

    public bool CanResolve(DiskIdentity identity) => identity is AzureLunIdentity;

    public Task<DeviceResolution> ResolveAsync(DiskIdentity identity, CancellationToken cancellationToken)
    {
        var disk = (AzureLunIdentity)identity;
        _rescanner.RescanIfDue();
        var excluded = new HashSet<string>(StringComparer.Ordinal);
        foreach (var link in new[] { "/dev/disk/azure/root", "/dev/disk/azure/resource" })
        {
            if (new FileInfo(_host.Map(link)).LinkTarget is not null)
            {
                excluded.Add(Path.GetFileName(HostPaths.ResolveLinks(_host, link)));
            }
        }

        var matches = ScsiDevices.Read(_host)
            .Where(d => d.Address.Lun == disk.Lun && (excluded.Count > 0 || d.Address.Host > 3))
            .Where(d => string.Equals(d.Vendor, "MSFT", StringComparison.OrdinalIgnoreCase) && string.Equals(d.Model, "VIRTUAL DISK", StringComparison.OrdinalIgnoreCase))
            .Select(d => d.BlockName)
            .OfType<string>()
            .Where(name => !excluded.Contains(name))
            .ToList();

        if (matches.Count > 1)
        {
            throw new UnsafeOperationException($"{disk.Describe()}: {string.Join(", ", matches)} all sit at LUN {disk.Lun}; refusing to guess which is the volume's disk.");
        }

        if (matches.Count == 0)
        {
            return Task.FromResult(DeviceResolution.NotFound);
        }

        var stable = "/dev/disk/azure/scsi1/lun" + disk.Lun.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Task.FromResult(
            new FileInfo(_host.Map(stable)).LinkTarget is not null && Path.GetFileName(HostPaths.ResolveLinks(_host, stable)) == matches[0]
                ? DeviceResolution.Found(stable)
                : new DeviceResolution("/dev/" + matches[0], $"udev made no {stable} link for it (WALinuxAgent's rules missing?), so its kernel name is used"));
    }

    public string WhatToCheck(DiskIdentity identity) =>
        $"check that the disk is attached to this node's VM at LUN {((AzureLunIdentity)identity).Lun} (az vm show) and that the kernel sees it (lsscsi)";
}
