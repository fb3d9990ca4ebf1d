namespace VolumeDriver.Errors;

/// <summary>A kubelet option, argument or operator input that is missing or malformed.</summary>
internal sealed class InvalidOptionException : VolumeDriverException
{
    public InvalidOptionException(string key, string message)
        : base(message)
    {
        Key = key;
    }

    /// <summary>The option key or argument name the message is about.</summary>
    public string Key { get; }
}
