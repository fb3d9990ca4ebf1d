using System.Diagnostics.CodeAnalysis;

namespace VolumeDriver.Domain;

/// <summary>Names of <see cref="FsType"/> as blkid, mkfs and mount spell them.</summary>
internal static class FsTypes
{
    public const FsType Default = FsType.Ext4;

    public static string Name(FsType fsType) => fsType switch
    {
        FsType.Ext4 => "ext4",
        FsType.Xfs => "xfs",
        _ => throw new ArgumentOutOfRangeException(nameof(fsType), fsType, "unknown filesystem"),
    };

    public static bool TryParse(string? text, [NotNullWhen(true)] out FsType? fsType)
    {
        fsType = text switch
        {
            "ext4" => FsType.Ext4,
            "xfs" => FsType.Xfs,
            _ => null,
        };
        return fsType is not null;
    }
}
