using System.Globalization;
using VolumeDriver.Host;

namespace VolumeDriver.Node;

/// <summary>
/// Reads the kernel's table of SCSI devices. The vendor, model and size are read from the device's
/// own sysfs directory (the size under <c>block/&lt;name&gt;/size</c>, in 512-byte sectors whatever the
/// logical block size), so the whole view comes from one tree that an emulated node can lay out.
/// </summary>
internal static class ScsiDevices
{
    private const long SectorBytes = 512;

    public static IReadOnlyList<ScsiDevice> Read(HostRoot host)
    {
        var directory = host.Map("/sys/bus/scsi/devices");
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var devices = new List<ScsiDevice>();
        foreach (var entry in Directory.EnumerateFileSystemEntries(directory))
        {
            if (!ScsiAddress.TryParse(Path.GetFileName(entry), out var address))
            {
                continue; // host0, target0:0:0 and the like
            }

            var block = Path.Join(entry, "block");
            var name = Directory.Exists(block) ? Directory.EnumerateFileSystemEntries(block).Select(Path.GetFileName).Order(StringComparer.Ordinal).FirstOrDefault() : null;
            long? size = name is not null && long.TryParse(ReadAttribute(Path.Join(block, name, "size")), NumberStyles.None, CultureInfo.InvariantCulture, out var sectors)
                ? sectors * SectorBytes
                : null;
            devices.Add(new ScsiDevice(address, name, ReadAttribute(Path.Join(entry, "vendor")), ReadAttribute(Path.Join(entry, "model")), size));
        }

        return devices;
    }

    private static string? ReadAttribute(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A device removed while we read it is simply not there.
            return null;
        }
    }
}
