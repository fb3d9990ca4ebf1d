using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;

namespace Simulators;

/// <summary>
/// A pass-through in front of a Blob service (Azurite) for benchmarks: it forwards every request
/// unchanged (Shared Key signs the account and path, not the host, so signatures still verify),
/// counts it, and adds <see cref="Latency"/> as a distant storage endpoint would.
/// </summary>
public sealed class BlobServiceProxy : IAsyncDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase) { "Host", "Transfer-Encoding", "Connection", "Content-Length", "Content-Type" };

    private readonly SimulatorHost _host;
    private readonly Uri _target;
    private readonly HttpClient _client = new();

    private BlobServiceProxy(SimulatorHost host, Uri target)
    {
        _host = host;
        _target = target;
    }

    /// <summary>The proxy's endpoint template, {account} standing for the account (path style, as Azurite's).</summary>
    public string EndpointTemplate => new Uri(_host.HttpUri!, "{account}/").ToString().Replace("%7Baccount%7D", "{account}", StringComparison.Ordinal);

    public RequestCounter Requests { get; } = new();

    public TimeSpan Latency { get; set; }

    /// <param name="target">The Blob service's root, such as http://127.0.0.1:10000/.</param>
    public static async Task<BlobServiceProxy> StartAsync(Uri target, string stateDirectory)
    {
        var host = await SimulatorHost.StartAsync(stateDirectory, 0, withPlainHttp: true);
        var proxy = new BlobServiceProxy(host, target);
        host.Serve(proxy.ForwardAsync);
        return proxy;
    }

    private async Task ForwardAsync(HttpContext context)
    {
        var request = context.Request;
        Requests.Count(request.Method, request.Path.Value ?? "/");
        if (Latency > TimeSpan.Zero)
        {
            await Task.Delay(Latency);
        }

        using var forward = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(_target, (request.Path.Value ?? "/").TrimStart('/') + request.QueryString.Value));
        var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        body.Position = 0;
        forward.Content = new StreamContent(body);
        if (request.ContentType is { } contentType)
        {
            forward.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        foreach (var (name, values) in request.Headers)
        {
            if (!HopByHop.Contains(name))
            {
                forward.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }

        using var response = await _client.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        await response.Content.CopyToAsync(context.Response.Body);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }
}
