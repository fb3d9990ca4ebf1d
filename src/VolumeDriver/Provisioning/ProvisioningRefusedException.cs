using VolumeDriver.Errors;

namespace VolumeDriver.Provisioning;

/// <summary>A claim this provisioner will not serve as it stands (ReadWriteMany, a block volume, a size it cannot read).</summary>
internal sealed class ProvisioningRefusedException : VolumeDriverException
{
    public ProvisioningRefusedException(string message)
        : base(message)
    {
    }
}
