namespace VolumeDriver.Node;

/// <summary>The outcome of one look for a device.</summary>
/// <param name="DevicePath">The host path of the device, or null when it was not found.</param>
/// <param name="Observation">Something seen on the way that explains a miss (a sentence), or null.</param>
internal sealed record DeviceResolution(string? DevicePath, string? Observation)
{
    public static DeviceResolution NotFound { get; } = new(null, null);

    public static DeviceResolution Found(string devicePath) => new(devicePath, null);
}
