using System.ComponentModel;
using System.Diagnostics;
using VolumeDriver.Errors;

namespace VolumeDriver.Host;

/// <summary>
/// The one implementation every caller uses to run external tools. The child never shares our
/// stdout or stderr (they are kubelet's reply buffer): all three standard streams are redirected,
/// and both output pipes are drained concurrently so a chatty tool cannot block on a full pipe.
/// On timeout or cancellation the whole process tree is killed, because cancelling
/// <see cref="Process.WaitForExitAsync(CancellationToken)"/> alone leaves the child running.
/// </summary>
internal sealed class ProcessRunner : IProcessRunner
{
    private readonly TimeProvider _timeProvider;

    public ProcessRunner(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
    }

    public async Task<ProcessResult> RunAsync(string tool, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(tool)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // We parse some tools' output; keep it in the C locale whatever the node's locale is.
        startInfo.Environment["LC_ALL"] = "C";

        var started = _timeProvider.GetTimestamp();
        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new CommandFailedException(tool, arguments, null, e.Message, $"could not run {tool}: {e.Message}; is it installed and on PATH?", e);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);

        using var deadline = new CancellationTokenSource(timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        try
        {
            await process.WaitForExitAsync(linked.Token);
        }
        catch (OperationCanceledException)
        {
            KillTree(process);
            await process.WaitForExitAsync(CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
            throw new DeadlineExceededException($"{tool} {string.Join(' ', arguments)}", timeout, "the process was killed");
        }

        var result = new ProcessResult(process.ExitCode, await stdout, await stderr, _timeProvider.GetElapsedTime(started));
        return result;
    }

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill: nothing left to stop.
        }
    }
}
