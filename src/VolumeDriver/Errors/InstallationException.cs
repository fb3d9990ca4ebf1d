namespace VolumeDriver.Errors;

/// <summary>Installing the driver or its configuration failed, or was refused.</summary>
internal sealed class InstallationException : VolumeDriverException
{
    public InstallationException(string? path, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Path = path;
    }

    /// <summary>The file or directory the message is about, when there is one.</summary>
    public string? Path { get; }
}
