using VolumeDriver.Errors;

namespace VolumeDriver.Backends.VCloud;

/// <summary>vCloud Director answered with something this backend cannot read (a missing link or attribute).</summary>
internal sealed class VCloudProtocolException : VolumeDriverException
{
    public VCloudProtocolException(string problem, Exception? innerException = null)
        : base($"vCloud Director's answer was not what the API defines: {problem}. Check that the configured host is a vCloud Director endpoint and the API version is supported.", innerException)
    {
    }
}
