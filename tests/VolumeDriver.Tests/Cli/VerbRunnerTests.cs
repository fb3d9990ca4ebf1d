using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using VolumeDriver.Cli;
using VolumeDriver.Configuration;
using VolumeDriver.FlexVolume;
using VolumeDriver.Tests.Backends.VCloud;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Cli;

/// <summary>
/// The one run path, through the command line with a fake backend: every way a command ends
/// (a signal, a time limit, a crash) is one Failure, the services are disposed (the log flushed),
/// and the one log line carries the redacted arguments, for kubelet's verbs and the operators' alike.
/// </summary>
public sealed class VerbRunnerTests : IDisposable
{
    private const string Options = "{\"kubernetes.io/fsType\":\"\",\"kubernetes.io/pvOrVolumeName\":\"pv-1\",\"kubernetes.io/readwrite\":\"rw\",\"size\":\"1Gi\"}";

    private readonly FakeCloudDisk _disk = new();
    private readonly FakeNode _node = new();
    private readonly Interruption _interruption = new();
    private readonly CollectingLoggerProvider _logs = new();
    private readonly DisposalProbe _owned = new();

    public void Dispose()
    {
        _interruption.Dispose();
        _logs.Dispose();
    }

    [Theory]
    [InlineData(PosixSignal.SIGTERM, "SIGTERM", "list")]
    [InlineData(PosixSignal.SIGTERM, "SIGTERM", "list", "--json")]
    [InlineData(PosixSignal.SIGINT, "SIGINT", "list")]
    [InlineData(PosixSignal.SIGTERM, "SIGTERM", "attach", Options, "node-1")]
    public async Task Command_SignalWhileTheBackendHoldsTheCall_IsOneFailureNamingTheSignal(PosixSignal signal, string name, params string[] args)
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _disk.OnCall = async (_, cancellationToken) =>
        {
            entered.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken).WithTimeout();
        };

        using var stdout = new MemoryStream();
        var run = CreateCli(stdout).RunAsync(args);
        await entered.Task.WithTimeout();
        _interruption.Raise(signal);
        var exit = await run.WithTimeout();

        var reply = SingleJson(stdout);
        Assert.Equal((1, "Failure"), (exit, reply.GetProperty("status").GetString()));
        Assert.Equal($"{args[0]} was interrupted by {name} before it finished; it is safe to run again", reply.GetProperty("message").GetString());
        Assert.True(_owned.Disposed, "the services (and with them the log) were not disposed");
        Assert.Contains(_logs.Lines, line => line.StartsWith($"Information {args[0]} ", StringComparison.Ordinal) && line.Contains("-> Failure", StringComparison.Ordinal) && line.Contains(name, StringComparison.Ordinal));
        Assert.Contains(_logs.Lines, line => line.StartsWith($"Information {args[0]} was stopped by a signal while it ran ", StringComparison.Ordinal) && line.Contains("canceled", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("list")]
    [InlineData("attach", Options, "node-1")]
    public async Task Command_UnexpectedException_IsOneFailureWithoutAStackTrace_AndTheLogHasItAndIsFlushed(params string[] args)
    {
        _disk.OnCall = (_, _) => throw new InvalidOperationException("the fake broke");

        using var stdout = new MemoryStream();
        var exit = await CreateCli(stdout).RunAsync(args).WithTimeout();

        var text = Encoding.UTF8.GetString(stdout.ToArray());
        var reply = SingleJson(stdout);
        Assert.Equal((1, "Failure"), (exit, reply.GetProperty("status").GetString()));
        Assert.Equal("internal error: InvalidOperationException: the fake broke; see the log file for details", reply.GetProperty("message").GetString());
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.True(_owned.Disposed, "the services (and with them the log) were not disposed");
        Assert.Contains(_logs.Lines, line => line == $"Error {args[0]} failed unexpectedly the fake broke");
        Assert.Contains(_logs.Lines, line => line.StartsWith($"Information {args[0]} ", StringComparison.Ordinal) && line.Contains("-> Failure", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Command_TimeLimitInsideIt_IsOneFailureSayingItRanOutOfTime(bool asTimeout)
    {
        _disk.OnCall = (_, _) => asTimeout
            ? throw new TimeoutException("the lock wait took too long.")
            : throw new TaskCanceledException("A deadline token was cancelled.");

        using var stdout = new MemoryStream();
        var exit = await CreateCli(stdout).RunAsync(["list", "--json"]).WithTimeout();

        var reply = SingleJson(stdout);
        Assert.Equal((1, "Failure"), (exit, reply.GetProperty("status").GetString()));
        var expected = asTimeout ? "the lock wait took too long" : "A deadline token was cancelled";
        Assert.Equal($"list ran out of time ({expected}); it is safe to run again", reply.GetProperty("message").GetString());
        Assert.True(_owned.Disposed);
        Assert.Contains(_logs.Lines, line => line.StartsWith("Warning list ran out of time", StringComparison.Ordinal));
    }

    [Fact]
    public async Task List_LogsItsArguments()
    {
        using var stdout = new MemoryStream();
        var exit = await CreateCli(stdout).RunAsync(["list", "--json"]).WithTimeout();

        Assert.Equal(0, exit);
        Assert.Contains(_logs.Lines, line => line.StartsWith("Information list --json -> Success in ", StringComparison.Ordinal) && line.EndsWith(": 0 volume(s)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MigrateVhd_LogsItsArgumentsRedacted_NeverTheSasToken()
    {
        const string signature = "c2VjcmV0c2lnbmF0dXJl";
        using var stdout = new MemoryStream();
        var exit = await CreateCli(stdout).RunAsync(["migrate-vhd", $"https://acct.blob.core.windows.net/vhds/pv-1.vhd?sv=2021-08-06&sig={signature}", "--name", "pv-1"]).WithTimeout();

        Assert.Equal(1, exit);
        var line = Assert.Single(_logs.Lines, line => line.StartsWith("Information migrate-vhd ", StringComparison.Ordinal));
        Assert.StartsWith("Information migrate-vhd https://acct.blob.core.windows.net/vhds/pv-1.vhd?*** --name pv-1 -> Failure in ", line, StringComparison.Ordinal);
        Assert.DoesNotContain(_logs.Lines, l => l.Contains(signature, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Doctor_SignalBeforeItRuns_IsOneFailureNamingTheSignal()
    {
        _interruption.Raise(PosixSignal.SIGTERM);
        using var stdout = new MemoryStream();
        var exit = await CreateCli(stdout).RunAsync(["doctor", "--json"]).WithTimeout();

        var reply = SingleJson(stdout);
        Assert.Equal((1, "doctor was interrupted by SIGTERM before it finished; it is safe to run again"), (exit, reply.GetProperty("message").GetString()));
    }

    private static JsonElement SingleJson(MemoryStream stdout)
    {
        var text = Encoding.UTF8.GetString(stdout.ToArray());
        Assert.EndsWith("}\n", text, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    private DriverCli CreateCli(Stream stdout)
    {
        var parser = new FlexOptionsParser(_disk.OptionKeys);
        var services = new VerbServices(
            DriverConfiguration.Defaults,
            new LoggerFactory([_logs]),
            vhdMigration: null,
            new AttachDetachWorkflow(_disk, parser),
            new DeviceMountWorkflow(_disk, parser, _node, _node, _node, NodeConfiguration.Defaults, VolumeDriver.Host.HostRoot.System),
            owned: _owned);
        return new DriverCli(
            stdout,
            new ReplyWriter(stdout, indented: false),
            new StandardInput(() => throw new InvalidOperationException("stdin must not be read"), () => false),
            (_, _) => Task.FromResult(services),
            TimeProvider.System,
            TestOperatorServices.Create(),
            _interruption);
    }

    /// <summary>Stands for the log: records that the runner disposed the services.</summary>
    private sealed class DisposalProbe : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }
}
