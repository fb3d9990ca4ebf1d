namespace VolumeDriver.Host;

/// <summary>Which file (device and inode) a descriptor or path is, and how long it is.</summary>
internal readonly record struct FileIdentity(ulong Device, ulong Inode, long Size)
{
    public bool IsSameFileAs(FileIdentity other) => Device == other.Device && Inode == other.Inode;
}
