using Microsoft.Extensions.Logging;
using VolumeDriver.Host;

namespace VolumeDriver.Node;

/// <summary>
/// Removes what the Python vCloud driver left on a node for a volume: a <c>/dev/block/&lt;disk id&gt;</c>
/// symlink to the disk or its partition, and the <c>/etc/udev/rules.d/90-vcloud-idisk-&lt;disk id&gt;.rules</c>
/// file that recreated that link at boot. This driver needs neither (it finds disks by WWN), and a
/// rule left behind would point a name at whatever disk next takes that slot. Only links named like
/// a disk id (a UUID) that point at the device just unmounted are touched, never udev's own
/// <c>/dev/block/MAJOR:MINOR</c> links.
/// </summary>
internal sealed partial class LegacyVCloudLeftovers : INodeHooks
{
    private readonly HostRoot _host;
    private readonly ILogger _logger;

    public LegacyVCloudLeftovers(HostRoot host, ILogger<LegacyVCloudLeftovers> logger)
    {
        _host = host;
        _logger = logger;
    }

    /// <summary>Removes the leftovers that point at <paramref name="source"/> (a device path) or at its whole disk. Idempotent.</summary>
    public void AfterUnmount(string? source)
    {
        if (source is null || !source.StartsWith("/dev/", StringComparison.Ordinal))
        {
            return;
        }

        var name = Path.GetFileName(HostPaths.ResolveLinks(_host, source));
        var names = new HashSet<string>(StringComparer.Ordinal) { name };
        if (File.Exists(_host.Map($"/sys/class/block/{name}/partition")))
        {
            // /sys/class/block/sdb1 links into .../block/sdb/sdb1: the parent directory is the disk.
            var resolved = HostPaths.ResolveLinks(_host, "/sys/class/block/" + name);
            names.Add(Path.GetFileName(Path.GetDirectoryName(resolved)!));
        }

        var blockDirectory = _host.Map("/dev/block");
        if (!Directory.Exists(blockDirectory))
        {
            return;
        }

        foreach (var entry in Directory.EnumerateFileSystemEntries(blockDirectory))
        {
            var id = Path.GetFileName(entry);
            if (id.Length != 36 || !Guid.TryParse(id, out _) || new FileInfo(entry).LinkTarget is null)
            {
                continue;
            }

            if (!names.Contains(Path.GetFileName(HostPaths.ResolveLinks(_host, "/dev/block/" + id))))
            {
                continue;
            }

            File.Delete(entry);
            LogRemoved(_logger, "/dev/block/" + id);
            var rule = "/etc/udev/rules.d/90-vcloud-idisk-" + id + ".rules";
            if (File.Exists(_host.Map(rule)))
            {
                File.Delete(_host.Map(rule));
                LogRemoved(_logger, rule);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Path}, left by the Python vCloud driver for the volume just unmounted")]
    private static partial void LogRemoved(ILogger logger, string path);
}
