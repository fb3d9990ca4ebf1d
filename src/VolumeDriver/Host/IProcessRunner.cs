namespace VolumeDriver.Host;

/// <summary>Runs an external tool with an argv array (never a shell) and a timeout.</summary>
internal interface IProcessRunner
{
    /// <summary>
    /// Runs <paramref name="tool"/> (looked up on PATH) with <paramref name="arguments"/> and returns
    /// whatever exit code it gave: exit codes are data to the caller. Throws
    /// <see cref="Errors.CommandFailedException"/> only when the tool cannot be started, and
    /// <see cref="Errors.DeadlineExceededException"/> when it outlives <paramref name="timeout"/>.
    /// </summary>
    Task<ProcessResult> RunAsync(string tool, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken);
}
