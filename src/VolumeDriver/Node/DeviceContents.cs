namespace VolumeDriver.Node;

/// <summary>
/// What <see cref="BlockDeviceProbe"/> found on a device. Only <see cref="Blank"/> may ever be
/// formatted; every other case means the device holds something that someone may need.
/// </summary>
internal abstract record DeviceContents
{
    private DeviceContents()
    {
    }

    /// <summary>A short description for messages and logs ("an ext4 filesystem", "a dos partition table").</summary>
    public abstract string Describe();

    /// <summary>Neither blkid nor wipefs found any signature.</summary>
    internal sealed record Blank : DeviceContents
    {
        public static Blank Instance { get; } = new();

        public override string Describe() => "no filesystem, partition table or other signature";
    }

    /// <summary>blkid found a filesystem (USAGE=filesystem) of this TYPE.</summary>
    internal sealed record Filesystem(string Type) : DeviceContents
    {
        public override string Describe() => $"a {Type} filesystem";
    }

    /// <summary>blkid found a partition table (PTTYPE) of this type.</summary>
    internal sealed record PartitionTable(string Type) : DeviceContents
    {
        public override string Describe() => $"a {Type} partition table";
    }

    /// <summary>Something that is not a plain filesystem: swap, LUKS, RAID or LVM members, or an unclear probe.</summary>
    internal sealed record OtherSignature(string Description) : DeviceContents
    {
        public override string Describe() => Description;
    }
}
