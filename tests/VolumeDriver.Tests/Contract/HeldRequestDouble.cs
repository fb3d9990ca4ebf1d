using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Simulators;
using Simulators.Arm;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Contract;

/// <summary>
/// A cloud endpoint that never answers: it takes every request (HTTPS with a test CA, as ARM and
/// Entra ID are) and holds it open until the caller gives up or the double is disposed, so a test can
/// signal the driver while it is provably inside a cloud call. <see cref="Received"/> completes on
/// the first request, which is the test's cue that the driver is waiting on the double.
/// </summary>
public sealed class HeldRequestDouble : IAsyncDisposable
{
    private readonly SimulatorHost _host;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource<string> _received = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<string> _requests = new();

    private HeldRequestDouble(SimulatorHost host) => _host = host;

    public Uri BaseUri => _host.HttpsUri;

    public string CaCertificatePemPath => _host.Ca.CaPemPath;

    /// <summary>Completes with "METHOD /path" of the first request the double holds.</summary>
    public Task<string> Received => _received.Task;

    /// <summary>Every request held so far, as "METHOD /path".</summary>
    public IReadOnlyCollection<string> Requests => _requests;

    public static async Task<HeldRequestDouble> StartAsync(string stateDirectory)
    {
        var host = await SimulatorHost.StartAsync(stateDirectory, httpsPort: 0, withPlainHttp: false).WithTimeout();
        var double_ = new HeldRequestDouble(host);
        host.Serve(double_.HoldAsync);
        return double_;
    }

    /// <summary>An Azure Stack environment file (go-autorest's keys) whose every endpoint is this double.</summary>
    public string WriteAzureEnvironmentFile(string directory) =>
        AzureStackEnvironmentFile.Write(Path.Join(directory, "environment.json"), BaseUri);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().WithTimeout();
        await _host.DisposeAsync().WithTimeout();
        _stopping.Dispose();
    }

    private async Task HoldAsync(HttpContext context)
    {
        var request = $"{context.Request.Method} {context.Request.Path}";
        _requests.Enqueue(request);
        _received.TrySetResult(request);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, either.Token).WithTimeout();
        }
        catch (OperationCanceledException)
        {
            // The driver hung up (it was signalled) or the test is over: there is nothing to answer.
        }
    }
}
