namespace VolumeDriver.Backends.Azure;

/// <summary>Standard VMs, or scale-set instances (updated through virtualMachineScaleSets/{ss}/virtualMachines/{id}).</summary>
internal enum AzureVmType
{
    Standard,
    ScaleSet,
}
