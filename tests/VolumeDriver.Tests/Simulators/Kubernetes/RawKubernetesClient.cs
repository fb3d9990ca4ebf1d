using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Simulators.Kubernetes;
using VolumeDriver.Host;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Simulators.Kubernetes;

/// <summary>
/// Raw HTTP to the Kubernetes API double (no client library), trusting only the double's CA and
/// sending its service-account token, so the double's answers are asserted on their own.
/// </summary>
internal sealed class RawKubernetesClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly X509Certificate2Collection _ca = [];

    public RawKubernetesClient(KubernetesApiSimulator simulator, string? token = null, string userAgent = "raw-test-client")
    {
        _ca.ImportFromPemFile(simulator.CaPemPath);
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = TlsTrust.OnlyRoots(_ca) },
        };
        _http = new HttpClient(handler) { BaseAddress = simulator.BaseUri, Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token ?? simulator.Options.Token);
        _http.DefaultRequestHeaders.UserAgent.ParseAdd(userAgent);
    }

    public Task<(int Status, JsonObject Body)> SendAsync(HttpMethod method, string path, JsonObject? body = null, string contentType = "application/json", CancellationToken cancellationToken = default) =>
        SendAsyncRaw(method, path, body?.ToJsonString(), contentType, cancellationToken);

    /// <summary>Sends a body as given (a JSON patch is an array), with its content type.</summary>
    public async Task<(int Status, JsonObject Body)> SendAsyncRaw(HttpMethod method, string path, string? body, string contentType, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        using var response = await _http.SendAsync(request, cancellationToken).WithTimeout();
        var text = await response.Content.ReadAsStringAsync(cancellationToken).WithTimeout();
        return text.StartsWith('{')
            ? ((int)response.StatusCode, (JsonObject)JsonNode.Parse(text)!)
            : throw new InvalidOperationException($"{method} {path} answered {(int)response.StatusCode} with a body that is not a JSON object: '{text}'");
    }

    /// <summary>Opens a watch and returns a reader of its event lines.</summary>
    public async Task<WatchStream> WatchAsync(string pathAndQuery)
    {
        var response = await _http.GetAsync(pathAndQuery, HttpCompletionOption.ResponseHeadersRead).WithTimeout();
        return new WatchStream(response, new StreamReader(await response.Content.ReadAsStreamAsync().WithTimeout()));
    }

    public void Dispose()
    {
        _http.Dispose();
        foreach (var certificate in _ca)
        {
            certificate.Dispose();
        }
    }

    internal sealed class WatchStream(HttpResponseMessage response, StreamReader reader) : IDisposable
    {
        public int Status => (int)response.StatusCode;

        /// <summary>The next event, or null when the server ended the stream.</summary>
        public async Task<JsonObject?> NextAsync() =>
            await reader.ReadLineAsync().WithTimeout() is { } line ? (JsonObject)JsonNode.Parse(line)! : null;

        public void Dispose()
        {
            reader.Dispose();
            response.Dispose();
        }
    }
}
