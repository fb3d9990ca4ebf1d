namespace VolumeDriver.Errors;

/// <summary>
/// The one base type for failures the driver explains to its caller. <see cref="Exception.Message"/>
/// is a human sentence (what failed, why, what to do) and becomes the <c>message</c> of the Failure
/// reply, so it must never contain a secret.
/// </summary>
internal abstract class VolumeDriverException : Exception
{
    protected VolumeDriverException(string message)
        : base(message)
    {
    }

    protected VolumeDriverException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
