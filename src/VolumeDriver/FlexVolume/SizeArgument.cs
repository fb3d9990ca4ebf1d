using System.Globalization;
using VolumeDriver.Domain;
using VolumeDriver.Errors;

namespace VolumeDriver.FlexVolume;

/// <summary>
/// Checks the sizes kubelet passes to expandvolume and expandfs: decimal byte counts
/// (<c>resource.Quantity.Value()</c>), so only digits, positive, and no larger than
/// <see cref="ByteSize.Max"/>. No suffixes, signs, spaces or exponents: anything else did not come
/// from kubelet and is refused with the argument's name.
/// </summary>
internal static class SizeArgument
{
    public const string NewSize = "newSizeBytes";
    public const string OldSize = "oldSizeBytes";

    /// <summary>More digits than any size up to <see cref="ByteSize.Max"/> (14 digits) needs, and below long's 19.</summary>
    private const int MaxDigits = 18;

    public static ByteSize Parse(string? text, string argumentName)
    {
        var value = text ?? string.Empty;
        if (value.Length == 0 || value.Length > MaxDigits || !value.All(char.IsAsciiDigit)
            || !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes))
        {
            throw new InvalidOptionException(argumentName, $"{argumentName} '{PrintableText.Of(value)}' is not a size: kubelet passes a whole number of bytes, such as 2147483648");
        }

        if (bytes == 0)
        {
            throw new InvalidOptionException(argumentName, $"{argumentName} is 0; a volume must be larger than 0 bytes");
        }

        return bytes <= ByteSize.Max.Bytes
            ? new ByteSize(bytes)
            : throw new InvalidOptionException(argumentName, FormattableString.Invariant($"{argumentName} {bytes} is larger than the largest disk this driver handles ({ByteSize.Max}, {ByteSize.Max.Bytes} bytes)"));
    }

    /// <summary>Parses both sizes and refuses a "resize" that would shrink the volume.</summary>
    public static (ByteSize NewSize, ByteSize OldSize) ParseGrowth(string? newSizeText, string? oldSizeText)
    {
        var newSize = Parse(newSizeText, NewSize);
        var oldSize = Parse(oldSizeText, OldSize);
        return newSize.Bytes >= oldSize.Bytes
            ? (newSize, oldSize)
            : throw new InvalidOptionException(NewSize, FormattableString.Invariant($"{NewSize} {newSize.Bytes} ({newSize}) is smaller than {OldSize} {oldSize.Bytes} ({oldSize}); volumes only grow, this driver never shrinks one"));
    }
}
