namespace VolumeDriver.Modules;

/// <summary>Where a new disk goes.</summary>
/// <param name="Options">The backend options to create the disk with (and to write into the PV, so attach sees the same).</param>
/// <param name="NodeAffinity">The nodes that can attach it, or null: every node.</param>
internal sealed record DiskPlacement(IReadOnlyDictionary<string, string> Options, NodeAffinityTerm? NodeAffinity);
