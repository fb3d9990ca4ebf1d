using Azure;
using Azure.Core;
using Azure.ResourceManager;
using Azure.ResourceManager.Compute;
using Azure.ResourceManager.Compute.Models;
using Azure.ResourceManager.Resources;

namespace VolumeDriver.Backends.Azure;

/// <summary>What the driver needs of a node's VM: where it is, its data disks and how its OS disk is stored.</summary>
/// <param name="UnmanagedOsDisk">The OS disk is a blob VHD: Azure attaches no managed disk to such a VM.</param>
internal sealed record AzureVmState(AzureLocation Location, IReadOnlyList<VirtualMachineDataDisk> DataDisks, bool UnmanagedOsDisk, string? ComputerName);
