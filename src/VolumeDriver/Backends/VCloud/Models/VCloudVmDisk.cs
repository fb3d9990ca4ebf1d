using VolumeDriver.Domain;

namespace VolumeDriver.Backends.VCloud.Models;

/// <summary>A disk of a VM where it sits: its controller, its unit there and its capacity.</summary>
/// <param name="IndependentDisk">The independent disk's href, or null for the VM's own disks (the OS disk).</param>
internal sealed record VCloudVmDisk(Uri? IndependentDisk, VmDiskController Controller, int Unit, long CapacityMb);
