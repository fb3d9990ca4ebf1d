namespace VolumeDriver.Errors;

/// <summary>The node side looked for a disk's block device and did not find it in time.</summary>
internal sealed class DeviceNotFoundException : VolumeDriverException
{
    public DeviceNotFoundException(string identity, TimeSpan waited, string message)
        : base(message)
    {
        Identity = identity;
        Waited = waited;
    }

    public string Identity { get; }

    public TimeSpan Waited { get; }
}
