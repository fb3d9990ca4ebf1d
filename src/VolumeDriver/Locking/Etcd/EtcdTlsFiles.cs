using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using VolumeDriver.Configuration;
using VolumeDriver.Errors;
using VolumeDriver.Host;

namespace VolumeDriver.Locking.Etcd;

/// <summary>
/// The etcd section's TLS files (ca_cert, cert, key), read into what the HTTP handler needs. A file
/// that is missing, unreadable, not a regular file or not PEM is a <see cref="ConfigurationException"/>
/// naming the key as written (vcloud.etcd.cert) and the file: the shipped example names
/// /etc/etcd/ssl/etcd.crt, and an operator must learn which line to fix, not read a .NET exception.
/// </summary>
internal static class EtcdTlsFiles
{
    /// <summary>The first configured file that cannot be read, or null when every one can.</summary>
    public static ConfigurationException? FindUnreadable(EtcdConfiguration configuration)
    {
        foreach (var (key, file) in configuration.TlsFiles)
        {
            if (RegularFile.Problem(file) is { } problem)
            {
                return new ConfigurationException(file, key, $"{key} '{file}' {problem}; etcd's TLS needs it. Point {key} at the file, or leave ca_cert, cert and key empty for plain http.");
            }
        }

        return null;
    }

    /// <summary>The client certificate with its key, or null when none is configured.</summary>
    public static X509Certificate2? LoadClientCertificate(EtcdConfiguration configuration)
    {
        if (configuration.ClientCertificateFile is not { } cert || configuration.ClientKeyFile is not { } key)
        {
            return null;
        }

        ThrowIfUnreadable(configuration);
        try
        {
            return X509Certificate2.CreateFromPemFile(cert, key);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            var certKey = configuration.Section + "." + ConfigurationKeys.Cert;
            var keyKey = configuration.Section + "." + ConfigurationKeys.Key;
            throw new ConfigurationException(cert, certKey, $"{certKey} '{cert}' and {keyKey} '{key}' are not a PEM certificate and its private key: {e.Message}", e);
        }
    }

    /// <summary>The CAs etcd's certificate must chain to, or null when none is configured.</summary>
    public static X509Certificate2Collection? LoadCertificateAuthorities(EtcdConfiguration configuration)
    {
        if (configuration.CaCertificateFile is not { } ca)
        {
            return null;
        }

        ThrowIfUnreadable(configuration);
        var key = configuration.Section + "." + ConfigurationKeys.CaCert;
        try
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(ca);
            return roots.Count > 0 ? roots : throw new ConfigurationException(ca, key, $"{key} '{ca}' holds no PEM certificate.");
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException(ca, key, $"{key} '{ca}' cannot be read as PEM certificates: {e.Message}", e);
        }
    }

    private static void ThrowIfUnreadable(EtcdConfiguration configuration)
    {
        if (FindUnreadable(configuration) is { } problem)
        {
            throw problem;
        }
    }
}
