using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Simulators.Kubernetes;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Simulators.Kubernetes;

/// <summary>
/// Raw HTTP to the Kubernetes API double (no client library), trusting only the double's CA and
/// sending its service-account token, so the double's answers are asserted on their own.
/// </summary>
internal sealed class RawKubernetesClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly X509Certificate2 _ca;

    public RawKubernetesClient(KubernetesApiSimulator simulator, string? token = null)
    {
        var pem = File.ReadAllText(simulator.CaPemPath);
        _ca = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(pem[PemEncoding.Find(pem).Base64Data]));
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, certificate, _, errors) => Trusted(certificate, errors) },
        };
        _http = new HttpClient(handler) { BaseAddress = simulator.BaseUri, Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token ?? simulator.Options.Token);
    }

    public async Task<(int Status, JsonObject Body)> SendAsync(HttpMethod method, string path, JsonObject? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        using var response = await _http.SendAsync(request).WithTimeout();
        var text = await response.Content.ReadAsStringAsync().WithTimeout();
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
        _ca.Dispose();
    }

    private bool Trusted(X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.Add(_ca);
        using var server = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(server);
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
