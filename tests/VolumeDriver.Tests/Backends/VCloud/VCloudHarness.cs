using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Simulators.VCloud;
using VolumeDriver.Backends;
using VolumeDriver.Backends.VCloud;
using VolumeDriver.Configuration;
using VolumeDriver.Domain;
using VolumeDriver.Locking;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Backends.VCloud;

/// <summary>
/// The vCloud backend wired as Composition wires it, against a vCD double on 127.0.0.1 over HTTPS
/// (trusting only the double's CA). Each <see cref="NewBackend"/> is a fresh "process": a new
/// HttpClient and connection, sharing only the state directory, as kubelet's invocations do.
/// The double and the driver share one clock, <see cref="Clock"/>: when the driver waits (a task
/// poll, a drain poll, a backoff) it jumps to the end of the wait, firing the double's timers (its
/// tasks' progress) on the way, and it never jumps to a deadline. No test waits in real time for a
/// vCD task or a poll, and every wait and deadline keeps the length the driver gives it.
/// </summary>
internal sealed class VCloudHarness : IAsyncDisposable
{
    public const string Password = "Pa55-w0rd!vcd";

    private readonly string _directory;

    private VCloudHarness(VCloudDirectorSimulator simulator, SkipWaitsTimeProvider clock, string directory)
    {
        Simulator = simulator;
        Clock = clock;
        _directory = directory;
    }

    public VCloudDirectorSimulator Simulator { get; }

    /// <summary>The clock of every backend unless a test gives its own, and (as its Background) of the double's tasks, tokens and latency.</summary>
    public SkipWaitsTimeProvider Clock { get; }

    public CollectingLoggerProvider Logs { get; } = new();

    public string StateDirectory => Path.Join(_directory, "state");

    public static async Task<VCloudHarness> StartAsync(VCloudSimulatorOptions? options = null)
    {
        var directory = Directory.CreateTempSubdirectory("vcloud-harness-").FullName;
        options ??= new VCloudSimulatorOptions();
        var clock = new SkipWaitsTimeProvider();
        options = options with { StateDirectory = Path.Join(directory, "sim"), Users = new Dictionary<string, string> { ["k8s"] = Password }, TimeProvider = clock.Background };
        return new VCloudHarness(await VCloudDirectorSimulator.StartAsync(options).WithTimeout(), clock, directory);
    }

    public VCloudConfiguration Configuration(string? apiVersion = "37.2") => new(
        Endpoint: Simulator.BaseUri,
        Org: Simulator.Options.Org,
        Vdc: Simulator.Options.Vdc,
        Username: "k8s",
        Password: new Secret(Password),
        PreferredApiVersion: apiVersion,
        DefaultStorage: "T1",
        VerifyTlsCertificates: true,
        CaCertificateFile: Simulator.CaCertificatePemPath,
        StateDirectory: StateDirectory,
        VmNames: new Dictionary<string, string>(),
        VApp: null,
        TaskTimeout: TimeSpan.FromSeconds(20),
        DrainWait: TimeSpan.FromSeconds(2),
        DetachFromPoweredOffVms: false,
        Debug: false);

    /// <param name="time">The clock of the driver's side, for a test that moves it by hand; by default the harness's <see cref="Clock"/>.</param>
    /// <param name="options">The client's options; by default those the configuration gives, as the driver builds them.</param>
    public VCloudDiskBackend NewBackend(VCloudConfiguration? configuration = null, TimeProvider? time = null, VCloudClientOptions? options = null)
    {
        configuration ??= Configuration();
        time ??= Clock;
        options ??= VCloudClientOptions.From(configuration);
        var loggers = LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        var logger = loggers.CreateLogger<VCloudDiskBackend>();
        var http = VCloudHttpClientFactory.Create(configuration, logger);
        var connection = new VCloudConnection(http, configuration, options, new VCloudSessionCache(configuration, logger), time, logger);
        var locks = new FileVmLockProvider(Path.Join(_directory, "locks"), time, loggers.CreateLogger<FileVmLockProvider>());
        return new VCloudDiskBackend(
            new VCloudClient(connection, options, time, logger),
            configuration,
            new VolumeRecords(configuration.StateDirectory, logger),
            locks,
            TimeSpan.FromSeconds(30),
            time,
            logger);
    }

    public static DiskRequest Request(string volume, string? size = "1Gi", IReadOnlyDictionary<string, string>? options = null)
    {
        var name = VolumeName.TryCreate(volume, out var v, out _) ? v.Value : throw new ArgumentException(volume);
        ByteSize? bytes = size is null ? null : ByteSize.TryParse(size, out var s, out _) ? s : throw new ArgumentException(size);
        return new DiskRequest(name, bytes, options ?? new Dictionary<string, string>());
    }

    public static NodeName OnNode(string name) => NodeName.TryCreate(name, out var node, out _) ? node.Value : throw new ArgumentException(name);

    public static VolumeName Volume(string name) => VolumeName.TryCreate(name, out var v, out _) ? v.Value : throw new ArgumentException(name);

    public int Count(string template) => Simulator.Requests.Snapshot().GetValueOrDefault(template);

    public async ValueTask DisposeAsync()
    {
        await Simulator.DisposeAsync().WithTimeout();
        Logs.Dispose();
        Assert.DoesNotContain(Logs.Lines, line => line.Contains(Password, StringComparison.Ordinal));
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Keeps every formatted log line, so tests can assert what was (and was not) logged.</summary>
internal sealed class CollectingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(_lines);

    public void Dispose()
    {
    }

    private sealed class Logger(ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue(logLevel + " " + formatter(state, exception) + (exception is null ? string.Empty : " " + exception.Message));
    }
}
