using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace VolumeDriver.Host;

/// <summary>
/// Trusting only the CAs of one PEM file (the vCD API's ca_cert, etcd's ca_cert): a private CA is
/// then enough, without adding it to the machine's store and without switching verification off.
/// </summary>
internal static class TlsTrust
{
    /// <summary>A validation callback that accepts a server certificate only when it chains to <paramref name="roots"/> and names the host.</summary>
    public static RemoteCertificateValidationCallback OnlyRoots(X509Certificate2Collection roots) => (_, certificate, _, errors) =>
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    };
}
