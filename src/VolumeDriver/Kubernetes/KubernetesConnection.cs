using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using VolumeDriver.Host;

namespace VolumeDriver.Kubernetes;

/// <summary>
/// Where the API server is and how to reach it: the server, the CAs its certificate must chain to,
/// and the credentials (a bearer token, a client certificate, or both). Built once from a kubeconfig
/// file (<see cref="KubeconfigLoader"/>) or from the pod's service account (<see cref="InClusterConfig"/>).
/// Verification of the server's certificate is never switched off.
/// </summary>
internal sealed class KubernetesConnection : IDisposable
{
    public KubernetesConnection(Uri server, string source, X509Certificate2Collection? certificateAuthorities, BearerToken? token, X509Certificate2? clientCertificate, string? defaultNamespace)
    {
        Server = server;
        Source = source;
        CertificateAuthorities = certificateAuthorities;
        Token = token;
        ClientCertificate = clientCertificate;
        DefaultNamespace = defaultNamespace;
    }

    /// <summary>The API server's base address (https://10.96.0.1:443).</summary>
    public Uri Server { get; }

    /// <summary>Where this came from, for messages: "kubeconfig '/root/.kube/config', context 'admin@k'" or "the in-cluster service account".</summary>
    public string Source { get; }

    /// <summary>The only CAs trusted for the server's certificate; null trusts the machine's store.</summary>
    public X509Certificate2Collection? CertificateAuthorities { get; }

    public BearerToken? Token { get; }

    /// <summary>A client certificate with its private key, when the user authenticates with one.</summary>
    public X509Certificate2? ClientCertificate { get; }

    /// <summary>The context's namespace, or the service account's; null when neither names one.</summary>
    public string? DefaultNamespace { get; }

    /// <summary>The HTTP handler that speaks to this server: its TLS trust and client certificate, no cookies, no redirects.</summary>
    public SocketsHttpHandler CreateHandler(TimeSpan connectTimeout)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = connectTimeout,
            UseCookies = false,
            AllowAutoRedirect = false,
            // A watch is one long response; idle pooled connections are dropped well before an LB would.
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
        };
        var ssl = new SslClientAuthenticationOptions();
        if (CertificateAuthorities is { } roots)
        {
            ssl.RemoteCertificateValidationCallback = TlsTrust.OnlyRoots(roots);
        }

        if (ClientCertificate is { } certificate)
        {
            ssl.ClientCertificates = [certificate];
        }

        handler.SslOptions = ssl;
        return handler;
    }

    public void Dispose()
    {
        ClientCertificate?.Dispose();
        if (CertificateAuthorities is { } roots)
        {
            foreach (var root in roots)
            {
                root.Dispose();
            }
        }
    }
}
