using VolumeDriver.Domain;

namespace VolumeDriver.Backends;

/// <summary>One volume as <c>volume-driver list</c> shows it.</summary>
/// <param name="Name">The disk's name.</param>
/// <param name="Size">Its size.</param>
/// <param name="Sku">The SKU (Azure) or storage profile (vCloud); null where the backend has none.</param>
/// <param name="AttachedNode">The node it is attached to, or null when it is not attached.</param>
/// <param name="Device">Its device or LUN path on that node, when the backend knows it.</param>
internal sealed record VolumeSummary(VolumeName Name, ByteSize Size, string? Sku, NodeName? AttachedNode, string? Device);
