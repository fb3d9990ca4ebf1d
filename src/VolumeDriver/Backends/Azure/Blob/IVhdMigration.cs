using Azure;
using Azure.Core;
using Azure.ResourceManager.Compute;
using Azure.ResourceManager.Compute.Models;
using Azure.ResourceManager.Resources;

namespace VolumeDriver.Backends.Azure.Blob;

/// <summary>The Azure backend's migration of VHD blob disks to managed disks.</summary>
internal interface IVhdMigration
{
    Task<VhdMigrationResult> MigrateVhdAsync(VhdMigrationRequest request, CancellationToken cancellationToken);
}
