using System.Globalization;
using VolumeDriver.Domain;

namespace VolumeDriver.Node;

/// <summary>
/// Finds which kernel SCSI host is the VM controller that holds the volume, without assuming how
/// the hypervisor's bus numbers map to the guest's host numbers (they follow PCI probe order, which
/// VMware does not promise). A controller is recognised by its fingerprint: the units it holds and the
/// size of the disk in each, as the cloud reports them, must equal the targets and sizes a host shows
/// (channel 0, LUN 0, as VMware's virtual SCSI controllers present disks). Exactly one host may match,
/// and no other controller of the VM may share the fingerprint; anything else is "not yet" with the
/// reason, never a guess. The volume is then the device at the host's target = unit.
/// </summary>
internal static class ScsiSlotMatcher
{
    private const long MiB = 1024 * 1024;

    public static SlotMatch Match(VmDiskLayout layout, IReadOnlyList<ScsiDevice> devices)
    {
        var volume = layout.Volume;
        if (volume is null)
        {
            return new SlotMatch(null, $"vCloud Director does not show the disk on VM '{layout.VmName}'");
        }

        var wanted = Fingerprint(layout.Disks.Where(d => d.Controller == volume.Controller));
        var twins = layout.Disks
            .GroupBy(d => d.Controller)
            .Where(g => g.Key != volume.Controller && g.Key.IsScsi && Fingerprint(g) == wanted)
            .Select(g => g.Key.ToString())
            .ToList();
        if (twins.Count > 0)
        {
            return new SlotMatch(null, $"VM '{layout.VmName}' holds disks of the same units and sizes on {volume.Controller} and on {string.Join(", ", twins)}, so the guest's view cannot tell those controllers apart");
        }

        var hosts = devices
            .Where(d => d.BlockName is not null)
            .GroupBy(d => d.Address.Host)
            .ToDictionary(g => g.Key, g => Fingerprint(g));
        var candidates = hosts.Where(h => h.Value == wanted).Select(h => h.Key).ToList();
        if (candidates.Count == 1)
        {
            var address = new ScsiAddress(candidates[0], 0, volume.Unit, 0);
            return new SlotMatch(devices.Single(d => d.Address == address), null);
        }

        var seen = hosts.Count == 0
            ? "the kernel shows no SCSI disks"
            : "the kernel shows " + string.Join("; ", hosts.OrderBy(h => h.Key).Select(h => $"host{h.Key.ToString(CultureInfo.InvariantCulture)}: {Describe(h.Value)}"));
        return new SlotMatch(
            null,
            candidates.Count == 0
                ? $"no SCSI host of this node holds what vCloud Director reports on {volume.Controller} of VM '{layout.VmName}' ({Describe(wanted)}); {seen}"
                : $"SCSI hosts {string.Join(" and ", candidates)} both hold what vCloud Director reports on {volume.Controller} ({Describe(wanted)}), so neither can be chosen");
    }

    /// <summary>"unit:MiB" pairs in unit order: equal strings mean equal occupancy.</summary>
    private static string Fingerprint(IEnumerable<VmDiskSlot> disks) =>
        string.Join(",", disks.OrderBy(d => d.Unit).Select(d => Slot(0, d.Unit, 0, d.CapacityBytes)));

    /// <summary>A device off channel 0 or LUN 0 keeps its full address, so it can never match a vCloud unit.</summary>
    private static string Fingerprint(IEnumerable<ScsiDevice> devices) =>
        string.Join(",", devices.OrderBy(d => d.Address.Channel).ThenBy(d => d.Address.Target).ThenBy(d => d.Address.Lun).Select(d => Slot(d.Address.Channel, d.Address.Target, d.Address.Lun, d.SizeBytes)));

    private static string Slot(int channel, int target, int lun, long? bytes)
    {
        var size = bytes is { } b ? ((b + MiB - 1) / MiB).ToString(CultureInfo.InvariantCulture) + "MiB" : "?";
        return channel == 0 && lun == 0
            ? string.Create(CultureInfo.InvariantCulture, $"unit {target} {size}")
            : string.Create(CultureInfo.InvariantCulture, $"{channel}:{target}:{lun} {size}");
    }

    private static string Describe(string fingerprint) => fingerprint.Length == 0 ? "no disks" : fingerprint.Replace(",", ", ", StringComparison.Ordinal);
}
