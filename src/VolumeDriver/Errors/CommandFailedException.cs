namespace VolumeDriver.Errors;

/// <summary>An external tool exited with a code its caller did not expect, or could not be started.</summary>
internal sealed class CommandFailedException : VolumeDriverException
{
    public CommandFailedException(string tool, IReadOnlyList<string> arguments, int? exitCode, string output, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Tool = tool;
        Arguments = arguments;
        ExitCode = exitCode;
        Output = output;
    }

    public string Tool { get; }

    public IReadOnlyList<string> Arguments { get; }

    /// <summary>The exit code, or null when the tool could not be started or was killed.</summary>
    public int? ExitCode { get; }

    /// <summary>The tail of what the tool wrote to stderr (or stdout when stderr was empty).</summary>
    public string Output { get; }
}
