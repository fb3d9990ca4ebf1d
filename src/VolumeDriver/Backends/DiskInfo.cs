using VolumeDriver.Domain;

namespace VolumeDriver.Backends;

/// <summary>A disk as a backend sees it.</summary>
/// <param name="Created">True when this call created the disk.</param>
internal sealed record DiskInfo(VolumeName Name, ByteSize Size, bool Created);
