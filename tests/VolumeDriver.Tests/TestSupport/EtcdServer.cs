using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace VolumeDriver.Tests.TestSupport;

/// <summary>
/// A real etcd (Debian's etcd-server, 3.4) on free loopback ports with a temporary data directory,
/// optionally with TLS and client-certificate authentication. Ready once GET /health says so.
/// </summary>
public sealed class EtcdServer : IAsyncDisposable
{
    public const string Binary = "/usr/bin/etcd";

    private readonly Process _process;
    private readonly string _directory;

    private EtcdServer(Process process, string directory, Uri clientUrl, HttpClient client, EtcdTlsFiles? tls)
    {
        _process = process;
        _directory = directory;
        ClientUrl = clientUrl;
        Client = client;
        Tls = tls;
    }

    public Uri ClientUrl { get; }

    /// <summary>An HttpClient that reaches the server (with the client certificate under TLS).</summary>
    public HttpClient Client { get; }

    public EtcdTlsFiles? Tls { get; }

    /// <summary>Why etcd tests cannot run here, or null. In CI a missing etcd is a failure, not a skip.</summary>
    public static string? MissingReason =>
        File.Exists(Binary) || Environment.GetEnvironmentVariable("CI") is { Length: > 0 } ? null : "needs etcd (apt-get install etcd-server)";

    public static async Task<EtcdServer> StartAsync(bool tls = false)
    {
        var directory = Directory.CreateTempSubdirectory("vd-etcd-").FullName;
        var (clientPort, peerPort) = (FreePort(), FreePort());
        var files = tls ? EtcdTlsFiles.Create(directory) : null;
        var scheme = tls ? "https" : "http";
        var clientUrl = new Uri($"{scheme}://127.0.0.1:{clientPort}");
        var start = new ProcessStartInfo(Binary) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        string[] args =
        [
            "--name", "t1", "--data-dir", Path.Join(directory, "data"),
            "--listen-client-urls", clientUrl.ToString().TrimEnd('/'), "--advertise-client-urls", clientUrl.ToString().TrimEnd('/'),
            "--listen-peer-urls", $"http://127.0.0.1:{peerPort}", "--initial-advertise-peer-urls", $"http://127.0.0.1:{peerPort}",
            "--initial-cluster", $"t1=http://127.0.0.1:{peerPort}", "--initial-cluster-state", "new", "--initial-cluster-token", "test",
            "--logger=zap", "--log-outputs=stderr",
        ];
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        if (files is not null)
        {
            foreach (var arg in new[] { "--cert-file", files.ServerCert, "--key-file", files.ServerKey, "--trusted-ca-file", files.CaCert, "--client-cert-auth" })
            {
                start.ArgumentList.Add(arg);
            }
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start etcd");
        // Drain etcd's output so it never blocks on a full pipe.
        _ = process.StandardError.BaseStream.CopyToAsync(Stream.Null);
        _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        var handler = new SocketsHttpHandler();
        if (files is not null)
        {
            handler.SslOptions.ClientCertificates = [X509Certificate2.CreateFromPemFile(files.ClientCert, files.ClientKey)];
            handler.SslOptions.RemoteCertificateValidationCallback = VolumeDriver.Host.TlsTrust.OnlyRoots(LoadRoots(files.CaCert));
        }

        var client = new HttpClient(handler) { BaseAddress = clientUrl, Timeout = TimeSpan.FromSeconds(10) };
        var server = new EtcdServer(process, directory, clientUrl, client, files);
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            try
            {
                if ((await client.GetStringAsync("/health").WithTimeout()).Contains("\"health\":\"true\"", StringComparison.Ordinal))
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (process.HasExited || DateTimeOffset.UtcNow > deadline)
            {
                await server.DisposeAsync().WithTimeout();
                throw new InvalidOperationException("etcd did not become healthy within 20 s");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>POSTs a gateway call and returns the answer's root.</summary>
    public async Task<JsonElement> PostAsync(string path, string json, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", token);
        }

        using var response = await Client.SendAsync(request).WithTimeout();
        var text = await response.Content.ReadAsStringAsync().WithTimeout();
        Assert.True(response.IsSuccessStatusCode, $"etcd {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Adds user root with the root role and turns authentication on.</summary>
    public async Task EnableAuthAsync(string password)
    {
        await PostAsync("/v3/auth/user/add", $"{{\"name\":\"root\",\"password\":\"{password}\"}}").WithTimeout();
        await PostAsync("/v3/auth/user/grant", "{\"user\":\"root\",\"role\":\"root\"}").WithTimeout();
        await PostAsync("/v3/auth/enable", "{}").WithTimeout();
    }

    /// <summary>The keys under a prefix (the lock holder and its waiters).</summary>
    public async Task<int> CountKeysAsync(string prefix, string? token = null)
    {
        var bytes = Encoding.UTF8.GetBytes(prefix);
        var end = (byte[])bytes.Clone();
        end[^1]++;
        var answer = await PostAsync("/v3/kv/range", $"{{\"key\":\"{Convert.ToBase64String(bytes)}\",\"range_end\":\"{Convert.ToBase64String(end)}\"}}", token).WithTimeout();
        return answer.TryGetProperty("kvs", out var kvs) ? kvs.GetArrayLength() : 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WithTimeout();
        }

        _process.Dispose();
        Client.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static X509Certificate2Collection LoadRoots(string file)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(file);
        return roots;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A CA, a server certificate for 127.0.0.1 and a client certificate, as PEM files for etcd and the driver.</summary>
public sealed record EtcdTlsFiles(string CaCert, string ServerCert, string ServerKey, string ClientCert, string ClientKey, string OtherCaCert)
{
    public static EtcdTlsFiles Create(string directory)
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=etcd test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var otherRequest = new CertificateRequest("CN=unrelated CA", otherKey, HashAlgorithmName.SHA256);
        otherRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var other = otherRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        string Write(string name, string pem)
        {
            var path = Path.Join(directory, name);
            File.WriteAllText(path, pem);
            return path;
        }

        (string Cert, string Key) Issue(string subject, string usageOid, bool server)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
            // etcd's gateway dials its own gRPC server with the server certificate as a client
            // certificate, so under --client-cert-auth that certificate needs clientAuth too.
            OidCollection usages = server ? [new Oid(usageOid), new Oid("1.3.6.1.5.5.7.3.2")] : [new Oid(usageOid)];
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
            if (server)
            {
                var names = new SubjectAlternativeNameBuilder();
                names.AddIpAddress(IPAddress.Loopback);
                names.AddDnsName("localhost");
                request.CertificateExtensions.Add(names.Build());
            }

            using var certificate = request.Create(ca, now.AddMinutes(-5), now.AddDays(1), RandomNumberGenerator.GetBytes(12));
            var name = server ? "server" : "client";
            return (Write(name + ".crt", certificate.ExportCertificatePem()), Write(name + ".key", key.ExportPkcs8PrivateKeyPem()));
        }

        var (serverCert, serverKey) = Issue("CN=127.0.0.1", "1.3.6.1.5.5.7.3.1", server: true);
        var (clientCert, clientKey) = Issue("CN=volume-driver", "1.3.6.1.5.5.7.3.2", server: false);
        return new EtcdTlsFiles(Write("ca.crt", ca.ExportCertificatePem()), serverCert, serverKey, clientCert, clientKey, Write("other-ca.crt", other.ExportCertificatePem()));
    }
}

/// <summary>A fact that needs a real etcd; skipped only outside CI when etcd is not installed.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class EtcdFactAttribute : FactAttribute
{
    public EtcdFactAttribute()
    {
        Skip = EtcdServer.MissingReason;
    }
}
