namespace VolumeDriver.Host;

/// <summary>What a path names, as stat(2) tells it (st_mode's file type).</summary>
internal enum PathKind
{
    Missing,
    RegularFile,
    Directory,
    SymbolicLink,
    Fifo,
    Socket,
    CharacterDevice,
    BlockDevice,
    Other,
}
