namespace VolumeDriver.Errors;

/// <summary>The configuration file is missing, unreadable or holds a bad key or value.</summary>
internal sealed class ConfigurationException : VolumeDriverException
{
    public ConfigurationException(string? file, string? key, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        File = file;
        Key = key;
    }

    public string? File { get; }

    public string? Key { get; }
}
