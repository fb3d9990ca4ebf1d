using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using VolumeDriver.Configuration;
using VolumeDriver.Errors;
using VolumeDriver.Host;

namespace VolumeDriver.Backends.VCloud;

/// <summary>
/// The HttpClient for the vCloud API. TLS is verified against the system store, or against only the
/// CAs in <c>ca_cert</c> when it is set. <c>verify_ssl_certs: False</c> (common in the Python driver's
/// files) still works, with a warning on every run, because an operator swapping binaries must not
/// find the cluster's volumes broken; the right fix is <c>ca_cert</c>.
/// </summary>
internal static partial class VCloudHttpClientFactory
{
    /// <summary>One request's deadline; tasks are waited for separately, with their own.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);

    public static HttpClient Create(VCloudConfiguration configuration, ILogger logger)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AllowAutoRedirect = false,
            UseCookies = false,
        };

        if (!configuration.VerifyTlsCertificates)
        {
            LogNotVerifying(logger, configuration.Endpoint.Host);
#pragma warning disable CA5359 // The operator's explicit verify_ssl_certs: False, logged as a warning on every run.
            handler.SslOptions.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
#pragma warning restore CA5359
        }
        else if (configuration.CaCertificateFile is { } caFile)
        {
            var roots = LoadCertificates(caFile);
            handler.SslOptions.RemoteCertificateValidationCallback = TlsTrust.OnlyRoots(roots);
        }

        // No Timeout of HttpClient's own: VCloudConnection gives each request its RequestTimeout on the
        // injected clock, and names it when it fires (HttpClient's would surface as a bare cancellation).
        return new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    private static X509Certificate2Collection LoadCertificates(string file)
    {
        if (RegularFile.Problem(file) is { } problem)
        {
            // Checked first: reading a FIFO named here would block the verb.
            throw new ConfigurationException(file, ConfigurationKeys.VCloud + "." + ConfigurationKeys.CaCert, $"vcloud.ca_cert '{file}' {problem}; point it at the PEM file of the CA that signed the vCloud API's certificate.");
        }

        try
        {
            var collection = new X509Certificate2Collection();
            collection.ImportFromPemFile(file);
            return collection.Count > 0
                ? collection
                : throw new ConfigurationException(file, ConfigurationKeys.VCloud + "." + ConfigurationKeys.CaCert, $"vcloud.ca_cert '{file}' holds no PEM certificate.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new ConfigurationException(file, ConfigurationKeys.VCloud + "." + ConfigurationKeys.CaCert, $"vcloud.ca_cert '{file}' cannot be read as PEM certificates: {e.Message}", e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "vcloud.verify_ssl_certs is false: the certificate of {Host} is not checked, so anyone on the path could read the vCloud password. Set ca_cert to the CA that signed it and remove verify_ssl_certs.")]
    private static partial void LogNotVerifying(ILogger logger, string host);
}
