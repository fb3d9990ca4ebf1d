using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using VolumeDriver.Errors;

namespace VolumeDriver.Kubernetes;

/// <summary>
/// The connection a pod has to its cluster's API server: KUBERNETES_SERVICE_HOST and
/// KUBERNETES_SERVICE_PORT, and the service account's token, ca.crt and namespace mounted at
/// <see cref="ServiceAccountDirectory"/>. The token is read from its file again as it rotates
/// (<see cref="BearerToken"/>). Everything missing is a <see cref="ConfigurationException"/> that
/// names the variable or file.
/// </summary>
internal static class InClusterConfig
{
    public const string ServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";
    public const string HostVariable = "KUBERNETES_SERVICE_HOST";
    public const string PortVariable = "KUBERNETES_SERVICE_PORT";

    /// <summary>Whether this process runs in a pod (both variables set), as client-go's rest.InClusterConfig decides.</summary>
    public static bool IsAvailable(Func<string, string?> environment) =>
        !string.IsNullOrEmpty(environment(HostVariable)) && !string.IsNullOrEmpty(environment(PortVariable));

    /// <param name="environment">Reads an environment variable (Environment.GetEnvironmentVariable in the product).</param>
    /// <param name="directory">The service account's mount; <see cref="ServiceAccountDirectory"/> in the product.</param>
    public static KubernetesConnection Load(Func<string, string?> environment, string directory, TimeProvider timeProvider)
    {
        var host = environment(HostVariable);
        var port = environment(PortVariable);
        if (string.IsNullOrEmpty(host) || string.IsNullOrEmpty(port))
        {
            var missing = string.IsNullOrEmpty(host) ? HostVariable : PortVariable;
            throw new ConfigurationException(null, missing, $"Not running in a Kubernetes pod: {missing} is not set. Run the provisioner in the cluster, or pass --kubeconfig FILE from outside it.");
        }

        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var portNumber) || portNumber is < 1 or > 65535)
        {
            throw new ConfigurationException(null, PortVariable, $"{PortVariable} is '{port}', not a port number.");
        }

        // An IPv6 service address needs brackets in a URL.
        var server = new UriBuilder(Uri.UriSchemeHttps, host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host, portNumber).Uri;
        var tokenFile = Path.Join(directory, "token");
        var caFile = Path.Join(directory, "ca.crt");
        var namespaceFile = Path.Join(directory, "namespace");
        foreach (var file in new[] { tokenFile, caFile })
        {
            if (!File.Exists(file))
            {
                throw new ConfigurationException(file, null, $"The service account file '{file}' does not exist; the pod needs a service account token mounted (automountServiceAccountToken must not be false).");
            }
        }

        var ns = File.Exists(namespaceFile) ? File.ReadAllText(namespaceFile).Trim() : null;
        return new KubernetesConnection(server, "the in-cluster service account", LoadCertificateAuthorities(caFile), BearerToken.FromFile(tokenFile, timeProvider), null, string.IsNullOrEmpty(ns) ? null : ns);
    }

    private static X509Certificate2Collection LoadCertificateAuthorities(string file)
    {
        try
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(file);
            return roots.Count > 0 ? roots : throw new ConfigurationException(file, null, $"The service account CA file '{file}' holds no PEM certificate.");
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException(file, null, $"The service account CA file '{file}' cannot be read as PEM certificates: {e.Message}", e);
        }
    }
}
