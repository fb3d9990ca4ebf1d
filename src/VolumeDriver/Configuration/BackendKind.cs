namespace VolumeDriver.Configuration;

/// <summary>The disk backends a configuration can select.</summary>
internal enum BackendKind
{
    /// <summary>Sparse files attached as loop devices on this machine.</summary>
    Loop,

    /// <summary>Azure managed disks (and blob VHDs on Azure Stack Hub).</summary>
    Azure,

    /// <summary>VMware Cloud Director independent disks.</summary>
    VCloud,
}
