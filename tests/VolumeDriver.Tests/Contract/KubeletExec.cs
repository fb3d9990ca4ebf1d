using System.Diagnostics;
using System.Text;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Contract;

/// <summary>
/// Runs the driver the way kubelet's pkg/volume/flexvolume does: argv only (no shell interprets
/// the arguments), stdin from /dev/null, working directory "/", a systemd-like environment with no
/// HOME, and stdout and stderr read as ONE buffer (Go's CombinedOutput). The merge is done by
/// /bin/sh's "exec ... 2>&amp;1", which passes the argv through untouched.
/// </summary>
public static class KubeletExec
{
    public const string SystemdPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static Task<DriverRun> RunAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null, string? stdin = null, TimeSpan? timeout = null) =>
        RunAsync(args, environment, stdin, timeout, onStarted: null);

    /// <summary>Runs the driver; <paramref name="onStarted"/> gets the process to signal it.</summary>
    public static async Task<DriverRun> RunAsync(
        IReadOnlyList<string> args,
        IReadOnlyDictionary<string, string>? environment,
        string? stdin,
        TimeSpan? timeout,
        Func<Process, Task>? onStarted,
        string workingDirectory = "/")
    {
        var binary = DriverBinary.Path ?? throw new InvalidOperationException(DriverBinary.MissingReason);
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(stdin is null ? "exec \"$0\" \"$@\" </dev/null 2>&1" : "exec \"$0\" \"$@\" 2>&1");
        start.ArgumentList.Add(binary);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Clear();
        start.Environment["PATH"] = SystemdPath;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(output);
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin).WithTimeout();
            process.StandardInput.Close();
        }

        if (onStarted is not null)
        {
            await onStarted(process).WithTimeout();
        }

        var within = timeout ?? TimeSpan.FromMinutes(2);
        using var limit = new CancellationTokenSource(within);
        try
        {
            // The limit token kills the driver when it runs too long; the await's own limit (twice as
            // long) only catches a wait that ignored its token.
            await process.WaitForExitAsync(limit.Token).WithTimeout(2 * within);
            await copy.WaitAsync(limit.Token).WithTimeout(2 * within);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"volume-driver {string.Join(' ', args)} did not finish in time");
        }

        var leakedToShellStderr = await stderr.WithTimeout();
        return new DriverRun(process.ExitCode, output.ToArray(), leakedToShellStderr);
    }
}

/// <summary>One run: the exit code and the combined stdout+stderr bytes kubelet would parse.</summary>
/// <param name="ShellStderr">Anything the wrapper shell itself printed (must be empty).</param>
public sealed record DriverRun(int ExitCode, byte[] Combined, string ShellStderr)
{
    public string Text => Encoding.UTF8.GetString(Combined);

    public GoDriverStatus Status => GoDriverStatus.Parse(Combined);
}
