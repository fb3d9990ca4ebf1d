using VolumeDriver.Domain;

namespace VolumeDriver.Node;

/// <summary>
/// Finds the device for one kind of <see cref="DiskIdentity"/> in a single look (no waiting):
/// <see cref="SysfsDeviceLocator"/> polls resolvers until a deadline. One implementation per
/// identity kind: a loop image's backing file, an Azure disk's SCSI LUN, a vCloud disk's WWN or, when
/// vCloud reports no UUID, its controller slot.
/// </summary>
internal interface IDeviceResolver
{
    /// <summary>True when this resolver knows how to find <paramref name="identity"/>.</summary>
    bool CanResolve(DiskIdentity identity);

    /// <summary>Looks once. The result's path is null when the device is not there (yet).</summary>
    Task<DeviceResolution> ResolveAsync(DiskIdentity identity, CancellationToken cancellationToken);

    /// <summary>What an operator should check when the device never appears (a sentence).</summary>
    string WhatToCheck(DiskIdentity identity);
}
