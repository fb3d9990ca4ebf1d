using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Simulators;

/// <summary>
/// A throw-away CA and a server certificate for 127.0.0.1 and localhost signed by it, so the doubles
/// serve real HTTPS and the driver verifies them the way it verifies a real cloud (trusting only the
/// CA file it is given), instead of switching verification off.
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private TestCertificateAuthority(X509Certificate2 ca, X509Certificate2 server, string caPemPath)
    {
        CaCertificate = ca;
        ServerCertificate = server;
        CaPemPath = caPemPath;
    }

    public X509Certificate2 CaCertificate { get; }

    /// <summary>The server certificate with its private key, for Kestrel.</summary>
    public X509Certificate2 ServerCertificate { get; }

    /// <summary>The CA certificate as a PEM file, for the driver's ca_cert.</summary>
    public string CaPemPath { get; }

    public static TestCertificateAuthority Create(string directory)
    {
        Directory.CreateDirectory(directory);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=volume-driver test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(2));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var signed = serverRequest.Create(ca, now.AddMinutes(-5), now.AddDays(1), RandomNumberGenerator.GetBytes(16));
        using var withKey = signed.CopyWithPrivateKey(serverKey);

        // Kestrel wants a certificate whose key it can use for the life of the listener: round-trip
        // through PKCS#12 so the key is not tied to the ephemeral ECDsa object disposed here.
        var server = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        var caPem = Path.Join(directory, "test-ca.pem");
        File.WriteAllText(caPem, ca.ExportCertificatePem() + "\n");
        return new TestCertificateAuthority(ca, server, caPem);
    }

    /// <summary>Writes the server certificate and its key as PEM files (for servers that take files, such as Azurite) and returns their paths.</summary>
    public (string Certificate, string Key) WriteServerPem(string directory)
    {
        var certificate = Path.Join(directory, "server.pem");
        var key = Path.Join(directory, "server-key.pem");
        File.WriteAllText(certificate, ServerCertificate.ExportCertificatePem() + "\n");
        File.WriteAllText(key, ServerCertificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem() + "\n");
        return (certificate, key);
    }

    public void Dispose()
    {
        CaCertificate.Dispose();
        ServerCertificate.Dispose();
    }
}
