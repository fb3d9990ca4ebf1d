using VolumeDriver.Domain;
using VolumeDriver.Errors;

namespace VolumeDriver.Backends.VCloud;

/// <summary>
/// A disk's bus: busType and busSubType as vCloud spells them, checked against the combinations the
/// API accepts (5 IDE; 6 SCSI with buslogic, lsilogic, lsilogicsas or VirtualSCSI; 20 SATA AHCI or
/// NVMe). The default is 6/VirtualSCSI (paravirtual SCSI): the only combination the Python driver
/// vouched for, the only one the CSI driver uses, and one whose disks carry the UUID as their WWN.
/// </summary>
internal sealed record VCloudBus(string BusType, string BusSubType)
{
    public const string BusTypeOption = "busType";
    public const string BusSubTypeOption = "busSubType";

    public static VCloudBus Default { get; } = new("6", "VirtualSCSI");

    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        ["5"] = ["", "IDE"],
        ["6"] = ["buslogic", "lsilogic", "lsilogicsas", "VirtualSCSI"],
        ["20"] = ["vmware.sata.ahci", "vmware.nvme.controller"],
    };

    public static VCloudBus From(IReadOnlyDictionary<string, string> options)
    {
        options.TryGetValue(BusTypeOption, out var busType);
        options.TryGetValue(BusSubTypeOption, out var busSubType);
        if (string.IsNullOrEmpty(busType) && string.IsNullOrEmpty(busSubType))
        {
            return Default;
        }

        busType = string.IsNullOrEmpty(busType) ? Default.BusType : busType.Trim();
        if (!Allowed.TryGetValue(busType, out var subTypes))
        {
            throw new InvalidOptionException(BusTypeOption, $"option {BusTypeOption} '{PrintableText.Of(busType)}' is not a vCloud bus type; allowed: 5 (IDE), 6 (SCSI), 20 (SATA/NVMe)");
        }

        busSubType ??= busType == Default.BusType ? Default.BusSubType : subTypes[0];
        if (!subTypes.Contains(busSubType, StringComparer.Ordinal))
        {
            throw new InvalidOptionException(
                BusSubTypeOption,
                $"option {BusSubTypeOption} '{PrintableText.Of(busSubType)}' does not go with {BusTypeOption} {busType}; allowed: {string.Join(", ", subTypes.Select(s => s.Length == 0 ? "\"\"" : s))}");
        }

        return new VCloudBus(busType, busSubType);
    }
}
