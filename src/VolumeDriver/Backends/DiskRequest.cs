using VolumeDriver.Domain;

namespace VolumeDriver.Backends;

/// <summary>The disk a verb is about, as the volume's options describe it.</summary>
/// <param name="Name">The disk's name: the PV or inline volume name, which detach is also given.</param>
/// <param name="Size">The size to create it with, when it does not exist yet.</param>
/// <param name="Options">The backend-specific options, already checked against the backend module's option keys.</param>
internal sealed record DiskRequest(VolumeName Name, ByteSize? Size, IReadOnlyDictionary<string, string> Options);
