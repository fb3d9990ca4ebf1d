using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using VolumeDriver.Errors;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace VolumeDriver.Kubernetes;

/// <summary>
/// Reads a kubeconfig file (the format of ~/.kube/config) into a <see cref="KubernetesConnection"/>,
/// by hand over YamlDotNet's representation model (no reflection). Supported: the current or a named
/// context; the cluster's https server with certificate-authority(-data); a user with token, tokenFile,
/// client-certificate(-data) and client-key(-data). Relative file names are relative to the kubeconfig's
/// directory, as kubectl resolves them. Refused with a message that names the field, because
/// ignoring them would connect differently from kubectl: exec and auth-provider plugins, basic auth,
/// impersonation, proxy-url, tls-server-name, and insecure-skip-tls-verify (the provisioner creates
/// and deletes disks on what the server says; an unverified server could make it delete any disk).
/// Keys this reader does not use (preferences, extensions) are ignored, as kubectl ignores them.
/// </summary>
internal static class KubeconfigLoader
{
    private static readonly string[] UnsupportedClusterKeys = ["insecure-skip-tls-verify", "proxy-url", "tls-server-name"];
    private static readonly string[] UnsupportedUserKeys = ["exec", "auth-provider", "username", "password", "as", "as-uid", "as-groups", "as-user-extra"];

    /// <param name="file">The kubeconfig file.</param>
    /// <param name="contextName">The context to use; null for the file's current-context.</param>
    public static KubernetesConnection Load(string file, string? contextName, TimeProvider timeProvider)
    {
        var root = ReadRoot(file);
        var reader = new Reader(file);
        var name = contextName ?? reader.OptionalScalar(root, "current-context", "current-context")
            ?? throw new ConfigurationException(file, "current-context", $"The kubeconfig file '{file}' names no current-context; set one (kubectl config use-context NAME) or name the context to use.");

        var context = reader.Named(root, "contexts", "context", name, contextName is null ? "current-context" : "the context asked for");
        var contextKey = $"contexts[{name}].context";
        var clusterName = reader.OptionalScalar(context, "cluster", contextKey + ".cluster")
            ?? throw reader.Error(contextKey + ".cluster", $"context '{name}' names no cluster");
        var userName = reader.OptionalScalar(context, "user", contextKey + ".user");
        var ns = reader.OptionalScalar(context, "namespace", contextKey + ".namespace");

        var cluster = reader.Named(root, "clusters", "cluster", clusterName, $"context '{name}'");
        var clusterKey = $"clusters[{clusterName}].cluster";
        reader.Refuse(cluster, clusterKey, UnsupportedClusterKeys, "the provisioner verifies the API server's certificate against certificate-authority(-data) and connects to server directly");
        var serverText = reader.OptionalScalar(cluster, "server", clusterKey + ".server")
            ?? throw reader.Error(clusterKey + ".server", "the cluster has no server");
        if (!Uri.TryCreate(serverText, UriKind.Absolute, out var server) || server.Scheme != Uri.UriSchemeHttps)
        {
            throw reader.Error(clusterKey + ".server", $"'{serverText}' is not an https:// URL; the provisioner sends its credentials only over TLS");
        }

        var roots = reader.Pem(cluster, "certificate-authority", clusterKey, (data, key) => ImportRoots(file, key, data));

        BearerToken? token = null;
        X509Certificate2? certificate = null;
        if (userName is not null)
        {
            var user = reader.Named(root, "users", "user", userName, $"context '{name}'");
            var userKey = $"users[{userName}].user";
            reader.Refuse(user, userKey, UnsupportedUserKeys, "use a token, tokenFile or client certificate user (for example a service account's token), or run the provisioner in the cluster");
            if (reader.OptionalScalar(user, "token", userKey + ".token") is { } fixedToken)
            {
                token = BearerToken.Fixed(fixedToken);
            }
            else if (reader.OptionalScalar(user, "tokenFile", userKey + ".tokenFile") is { } tokenFile)
            {
                token = BearerToken.FromFile(reader.Resolve(tokenFile), timeProvider);
            }

            var certificatePem = reader.Pem(user, "client-certificate", userKey, (data, _) => data);
            var keyPem = reader.Pem(user, "client-key", userKey, (data, _) => data);
            if ((certificatePem is null) != (keyPem is null))
            {
                throw reader.Error(userKey + (certificatePem is null ? ".client-certificate" : ".client-key"), "a client certificate needs both client-certificate(-data) and client-key(-data)");
            }

            if (certificatePem is not null)
            {
                try
                {
                    certificate = X509Certificate2.CreateFromPem(certificatePem, keyPem);
                }
                catch (CryptographicException e)
                {
                    throw reader.Error(userKey + ".client-certificate", $"the client certificate and key are not a PEM certificate and its private key: {e.Message}", e);
                }
            }
        }

        return new KubernetesConnection(server, $"kubeconfig '{file}', context '{name}'", roots, token, certificate, ns);
    }

    private static YamlMappingNode ReadRoot(string file)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var problem = e is FileNotFoundException or DirectoryNotFoundException ? "does not exist" : $"cannot be read: {e.Message}";
            throw new ConfigurationException(file, null, $"The kubeconfig file '{file}' {problem}.", e);
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new ConfigurationException(file, null, $"The kubeconfig file '{file}' is not valid YAML (line {e.Start.Line}, column {e.Start.Column}): {e.Message}", e);
        }

        return stream.Documents.Count > 0 && stream.Documents[0].RootNode is YamlMappingNode root
            ? root
            : throw new ConfigurationException(file, null, $"The kubeconfig file '{file}' is not a kubeconfig: its top level is not a mapping.");
    }

    private static X509Certificate2Collection ImportRoots(string file, string key, string pem)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPem(pem);
        }
        catch (CryptographicException e)
        {
            throw new ConfigurationException(file, key, $"The kubeconfig file '{file}', {key}: not PEM certificates: {e.Message}", e);
        }

        return roots.Count > 0 ? roots : throw new ConfigurationException(file, key, $"The kubeconfig file '{file}', {key}: holds no PEM certificate.");
    }

    /// <summary>Navigation with messages that name the file and the key (users[admin].user.token).</summary>
    private sealed class Reader(string file)
    {
        public ConfigurationException Error(string key, string problem, Exception? innerException = null) =>
            new(file, key, $"The kubeconfig file '{file}', {key}: {problem}.", innerException);

        public string? OptionalScalar(YamlMappingNode mapping, string name, string key) => Find(mapping, name) switch
        {
            null => null,
            YamlScalarNode { Value: var value } => string.IsNullOrEmpty(value) ? null : value,
            _ => throw Error(key, "expected a single value"),
        };

        /// <summary>The mapping under <paramref name="field"/> of the entry named <paramref name="name"/> in the list <paramref name="list"/>.</summary>
        public YamlMappingNode Named(YamlMappingNode root, string list, string field, string name, string wantedBy)
        {
            var names = new List<string>();
            if (Find(root, list) is YamlSequenceNode entries)
            {
                foreach (var entry in entries)
                {
                    if (entry is YamlMappingNode mapping && OptionalScalar(mapping, "name", list + "[].name") is { } entryName)
                    {
                        if (entryName == name)
                        {
                            return Find(mapping, field) as YamlMappingNode ?? throw Error($"{list}[{name}].{field}", "missing or not a mapping");
                        }

                        names.Add(entryName);
                    }
                }
            }

            var known = names.Count == 0 ? $"the file has no {list}" : $"it has {string.Join(", ", names.Select(n => "'" + n + "'"))}";
            throw Error(list, $"there is no {field} named '{name}' ({wantedBy}); {known}");
        }

        public void Refuse(YamlMappingNode mapping, string key, IEnumerable<string> unsupported, string instead)
        {
            foreach (var name in unsupported)
            {
                if (Find(mapping, name) is { } node && !(node is YamlScalarNode { Value: null or "" or "false" }))
                {
                    throw Error($"{key}.{name}", $"{name} is not supported; {instead}");
                }
            }
        }

        /// <summary>
        /// The PEM text of NAME-data (base64) or NAME (a file name), or null when neither is set;
        /// <paramref name="convert"/> turns it into what is needed, with the key for its messages.
        /// </summary>
        public T? Pem<T>(YamlMappingNode mapping, string name, string key, Func<string, string, T> convert)
            where T : class
        {
            if (OptionalScalar(mapping, name + "-data", $"{key}.{name}-data") is { } data)
            {
                try
                {
                    return convert(Encoding.UTF8.GetString(Convert.FromBase64String(data)), $"{key}.{name}-data");
                }
                catch (FormatException e)
                {
                    throw Error($"{key}.{name}-data", "not base64", e);
                }
            }

            if (OptionalScalar(mapping, name, $"{key}.{name}") is { } path)
            {
                var resolved = Resolve(path);
                try
                {
                    return convert(File.ReadAllText(resolved), $"{key}.{name}");
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw Error($"{key}.{name}", $"the file '{resolved}' cannot be read: {e.Message}", e);
                }
            }

            return null;
        }

        /// <summary>A file name from the kubeconfig, relative to its directory.</summary>
        public string Resolve(string path) => Path.IsPathRooted(path) ? path : Path.GetFullPath(path, Path.GetDirectoryName(Path.GetFullPath(file))!);

        private static YamlNode? Find(YamlMappingNode mapping, string name)
        {
            foreach (var (key, value) in mapping.Children)
            {
                if (key is YamlScalarNode { Value: var text } && text == name)
                {
                    return value is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" } ? null : value;
                }
            }

            return null;
        }
    }
}
