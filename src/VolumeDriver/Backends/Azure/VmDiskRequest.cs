using System.Text.Json.Serialization;

namespace VolumeDriver.Backends.Azure;

/// <summary>One disk waiting to be attached to a VM (<see cref="Detach"/> false) or detached from it.</summary>
/// <param name="DiskId">A managed disk's resource id, or a blob disk's VHD URI (<see cref="Vhd"/>).</param>
/// <param name="Caching">The host caching an attach asks for; ignored for a detach.</param>
/// <param name="Vhd">A blob disk (vhd.uri), not a managed disk (managedDisk.id).</param>
internal sealed record VmDiskRequest(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("diskId")] string DiskId,
    [property: JsonPropertyName("diskName")] string DiskName,
    [property: JsonPropertyName("caching")] string Caching,
    [property: JsonPropertyName("detach")] bool Detach = false,
    [property: JsonPropertyName("vhd")] bool Vhd = false);
