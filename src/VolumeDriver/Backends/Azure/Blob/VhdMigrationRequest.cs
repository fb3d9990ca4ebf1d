using Azure;
using Azure.Core;
using Azure.ResourceManager.Compute;
using Azure.ResourceManager.Compute.Models;
using Azure.ResourceManager.Resources;

namespace VolumeDriver.Backends.Azure.Blob;

/// <summary>What <c>volume-driver migrate-vhd</c> is asked.</summary>
/// <param name="Vhd">The VHD page blob's URI.</param>
/// <param name="Sku">The managed disk's SKU; null: the source account's (Standard_LRS or Premium_LRS).</param>
/// <param name="DiskName">The managed disk's name; null: the blob's name without .vhd.</param>
/// <param name="AccountResourceGroup">The resource group of the VHD's storage account; null: the cluster's.</param>
internal sealed record VhdMigrationRequest(Uri Vhd, string? Sku, string? DiskName, string? AccountResourceGroup);
