using Azure;
using Azure.Core;
using Azure.ResourceManager.Compute;
using Azure.ResourceManager.Compute.Models;
using Azure.ResourceManager.Resources;

namespace VolumeDriver.Backends.Azure.Blob;

/// <summary>What migrate-vhd did: the managed disk (its id is the PV's new diskURI) and whether this run created it.</summary>
internal sealed record VhdMigrationResult(Uri Source, string DiskUri, string DiskName, long SizeBytes, string Sku, bool Created);
