namespace VolumeDriver.Backends.Azure.Blob;

/// <summary>A blob as a listing or its properties describe it.</summary>
/// <param name="Leased">The blob holds a lease: Azure leases a VHD while a VM has it attached.</param>
internal sealed record PageBlobItem(string Name, long Length, bool Leased);
