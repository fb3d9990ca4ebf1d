using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Simulators;

/// <summary>
/// Kestrel on 127.0.0.1 for a double: HTTPS with a certificate from a fresh test CA (and, when asked,
/// a plain-HTTP port too, as Azure's IMDS is plain HTTP), one request handler, and teardown of the
/// state directory. The handler is attached after start so the double can be built around the ports.
/// </summary>
internal sealed class SimulatorHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _stateDirectory;
    private Func<HttpContext, Task>? _handler;

    private SimulatorHost(WebApplication app, TestCertificateAuthority ca, string stateDirectory, Uri httpsUri, Uri? httpUri)
    {
        _app = app;
        Ca = ca;
        _stateDirectory = stateDirectory;
        HttpsUri = httpsUri;
        HttpUri = httpUri;
    }

    public TestCertificateAuthority Ca { get; }

    public Uri HttpsUri { get; }

    public Uri? HttpUri { get; }

    public static async Task<SimulatorHost> StartAsync(string stateDirectory, int httpsPort, bool withPlainHttp)
    {
        Directory.CreateDirectory(stateDirectory);
        var ca = TestCertificateAuthority.Create(stateDirectory);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, httpsPort, listen => listen.UseHttps(ca.ServerCertificate));
            if (withPlainHttp)
            {
                kestrel.Listen(IPAddress.Loopback, 0);
            }
        });
        var app = builder.Build();
        SimulatorHost? host = null;
        app.Run(context => host!._handler is { } handler ? handler(context) : Task.CompletedTask);
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();
        var https = addresses.Single(a => a.Scheme == "https");
        var http = addresses.SingleOrDefault(a => a.Scheme == "http");
        host = new SimulatorHost(app, ca, stateDirectory, new Uri($"https://127.0.0.1:{https.Port}/"), http is null ? null : new Uri($"http://127.0.0.1:{http.Port}/"));
        return host;
    }

    /// <summary>Starts answering requests with <paramref name="handler"/>.</summary>
    public void Serve(Func<HttpContext, Task> handler) => _handler = handler;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Ca.Dispose();
        try
        {
            Directory.Delete(_stateDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a loop device still open keeps its backing file busy for a moment.
        }
    }
}
