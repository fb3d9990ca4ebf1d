using VolumeDriver.Domain;

namespace VolumeDriver.Configuration;

/// <summary>
/// The etcd cluster that serialises attach and detach per VM across hosts. Read from
/// <c>locking.etcd</c> or, unchanged, from the Python driver's <c>vcloud.etcd</c> (host, port,
/// ca_cert, cert, key, timeout).
/// </summary>
/// <param name="Endpoints">Client URLs, tried in order.</param>
/// <param name="RequestTimeout">The Python driver's <c>timeout</c>: the deadline of one etcd request.</param>
/// <param name="LeaseTtl">How long a crashed holder keeps the lock.</param>
/// <param name="Section">Where the section was read (locking.etcd or vcloud.etcd), so messages name the key as written.</param>
internal sealed record EtcdConfiguration(
    IReadOnlyList<Uri> Endpoints,
    string? CaCertificateFile,
    string? ClientCertificateFile,
    string? ClientKeyFile,
    string? Username,
    Secret? Password,
    TimeSpan RequestTimeout,
    TimeSpan LeaseTtl,
    string Section = ConfigurationKeys.Locking + "." + ConfigurationKeys.Etcd)
{
    /// <summary>The TLS files that are set, each with its configuration key (vcloud.etcd.cert), in the order they are read.</summary>
    public IReadOnlyList<(string Key, string File)> TlsFiles =>
        new (string Key, string? File)[]
        {
            (Section + "." + ConfigurationKeys.CaCert, CaCertificateFile),
            (Section + "." + ConfigurationKeys.Cert, ClientCertificateFile),
            (Section + "." + ConfigurationKeys.Key, ClientKeyFile),
        }
        .Where(f => f.File is not null)
        .Select(f => (f.Key, f.File!))
        .ToList();

    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan DefaultLeaseTtl = TimeSpan.FromSeconds(20);
}
