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
    /// <summary>How long to wait for a killed process to go, or for pipes to drain after an exit.</summary>
    private static readonly TimeSpan AfterExitLimit = TimeSpan.FromSeconds(10);

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

            // A process in uninterruptible sleep (a hung device) may not die at once; do not wait for it forever.
            await WithinAsync(process.WaitForExitAsync(CancellationToken.None), AfterExitLimit);
            cancellationToken.ThrowIfCancellationRequested();
            throw new DeadlineExceededException($"{tool} {string.Join(' ', arguments)}", timeout, "the process was killed");
        }

        // A grandchild that inherited the pipes can keep them open after the tool exits; its output is not ours to wait for.
        var output = await WithinAsync(stdout, AfterExitLimit) ?? string.Empty;
        var errors = await WithinAsync(stderr, AfterExitLimit) ?? string.Empty;
        return new ProcessResult(process.ExitCode, output, errors, _timeProvider.GetElapsedTime(started));
    }

    private async Task<T?> WithinAsync<T>(Task<T> task, TimeSpan limit)
    {
        try
        {
            return await task.WaitAsync(limit, _timeProvider);
        }
        catch (TimeoutException)
        {
            return default;
        }
    }

    private async Task WithinAsync(Task task, TimeSpan limit)
    {
        try
        {
            await task.WaitAsync(limit, _timeProvider);
        }
        catch (TimeoutException)
        {
            // Reported by the caller as the deadline it ran past.
        }
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
