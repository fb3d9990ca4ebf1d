using System.Collections.Concurrent;
using System.Diagnostics;
using VolumeDriver.Tests.Contract;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Provisioning.EndToEnd;

/// <summary>
/// One <c>volume-driver provisioner</c> process of the published binary, as a Deployment's
/// container runs it (argv only, its configuration through $VOLUME_DRIVER_CONFIG), with its stdout
/// (the JSON log lines) and stderr kept for the failure messages. <see cref="Kill"/> is kill -9;
/// <see cref="StopAsync"/> is the SIGTERM a pod gets on deletion.
/// </summary>
internal sealed class ProvisionerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly Task _reading;

    private ProvisionerProcess(Process process, string identity)
    {
        _process = process;
        Identity = identity;
        _reading = Task.WhenAll(ReadAsync(process.StandardOutput), ReadAsync(process.StandardError));
    }

    public string Identity { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Whether the test ended it (kill -9 or SIGTERM), as opposed to it exiting on its own.</summary>
    public bool EndedByTest { get; private set; }

    /// <summary>Completes when the process exits, for whatever reason.</summary>
    public Task Exited => _process.WaitForExitAsync();

    /// <summary>What it wrote so far, stdout and stderr interleaved by line.</summary>
    public IReadOnlyList<string> Output => [.. _output];

    public static ProvisionerProcess Start(string identity, string driver, string kubeconfig, IReadOnlyDictionary<string, string> environment, int healthPort = 0, int workers = 4)
    {
        var start = new ProcessStartInfo(DriverBinary.Path ?? throw new InvalidOperationException(DriverBinary.MissingReason))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var arg in new[]
        {
            "provisioner", "--driver", driver, "--kubeconfig", kubeconfig, "--health-port", healthPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--lease-namespace", ProvisioningTestBed.LeaseNamespace, "--identity", identity, "--workers", workers.ToString(System.Globalization.CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Clear();
        start.Environment["PATH"] = KubeletExec.SystemdPath;
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        process.StandardInput.Close();
        return new ProvisionerProcess(process, identity);
    }

    /// <summary>kill -9: no chance to release the Lease or finish a request.</summary>
    public async Task KillAsync()
    {
        EndedByTest = true;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().WithTimeout();
    }

    /// <summary>SIGTERM, then the exit code (it must end within the limit).</summary>
    public async Task<int> StopAsync()
    {
        EndedByTest = true;
        if (!_process.HasExited)
        {
            await LoopVolumeFixture.RunToolAsync("kill", "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).WithTimeout();
        }

        await _process.WaitForExitAsync().WithTimeout(TimeSpan.FromSeconds(60));
        await _reading.WithTimeout();
        return _process.ExitCode;
    }

    public string Describe() => $"provisioner {Identity} (pid {_process.Id}{(_process.HasExited ? $", exited {_process.ExitCode}" : "")}), last output:\n{string.Join('\n', _output.TakeLast(30))}";

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WithTimeout();
        }

        await _reading.WithTimeout();
        _process.Dispose();
    }

    private async Task ReadAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync().WithTimeout() is { } line)
        {
            _output.Enqueue(line);
        }
    }
}
