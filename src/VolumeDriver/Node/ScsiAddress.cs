using System.Globalization;

namespace VolumeDriver.Node;

/// <summary>A SCSI address as the kernel names its devices: host:channel:target:lun.</summary>
internal readonly record struct ScsiAddress(int Host, int Channel, int Target, int Lun)
{
    public static bool TryParse(string text, out ScsiAddress address)
    {
        address = default;
        var parts = text.Split(':');
        if (parts.Length != 4)
        {
            return false;
        }

        var numbers = new int[4];
        for (var i = 0; i < 4; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
            {
                return false;
            }
        }

        address = new ScsiAddress(numbers[0], numbers[1], numbers[2], numbers[3]);
        return true;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Host}:{Channel}:{Target}:{Lun}");
}
