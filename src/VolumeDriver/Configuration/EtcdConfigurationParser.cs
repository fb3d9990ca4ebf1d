using System.Globalization;
using VolumeDriver.Domain;

namespace VolumeDriver.Configuration;

/// <summary>
/// Reads an etcd section: the Python driver's <c>host</c>, <c>port</c>, <c>ca_cert</c>, <c>cert</c>,
/// <c>key</c> and <c>timeout</c> (seconds), or a list of <c>endpoints</c>, plus optional
/// <c>username</c>/<c>password</c> and <c>lease_ttl</c>. Empty TLS fields mean no TLS, as the Python
/// example file says ("You can left below fields empty to not using TLS").
/// </summary>
internal static class EtcdConfigurationParser
{
    private const int DefaultPort = 2379;

    /// <summary>The section as a record, or null when it names no etcd server.</summary>
    public static EtcdConfiguration? Parse(YamlSection section)
    {
        if (!section.Has(ConfigurationKeys.Host) && !section.Has(ConfigurationKeys.Endpoints))
        {
            return null;
        }

        var caCert = OptionalPath(section, ConfigurationKeys.CaCert);
        var cert = OptionalPath(section, ConfigurationKeys.Cert);
        var key = OptionalPath(section, ConfigurationKeys.Key);
        if ((cert is null) != (key is null))
        {
            throw section.Missing(cert is null ? ConfigurationKeys.Cert : ConfigurationKeys.Key, "a client certificate needs both cert and key");
        }

        var scheme = caCert is not null || cert is not null ? "https" : "http";
        var endpoints = new List<Uri>();
        if (section.TryGetScalar(ConfigurationKeys.Endpoints, out var endpointsNode))
        {
            foreach (var text in (endpointsNode.Value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                UrlUserInfo.RefuseIfPresent(section, ConfigurationKeys.Endpoints, endpointsNode, text);

                if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                {
                    throw section.Error(ConfigurationKeys.Endpoints, endpointsNode, $"{YamlSection.Quote(text)} is not an http:// or https:// URL. Write the client URLs separated by commas.");
                }

                endpoints.Add(uri);
            }
        }
        else
        {
            section.TryGetScalar(ConfigurationKeys.Host, out var hostNode);
            var host = hostNode!.Value ?? string.Empty;
            var port = DefaultPort;
            if (section.TryGetScalar(ConfigurationKeys.Port, out var portNode)
                && (!int.TryParse(portNode.Value, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
            {
                throw section.Error(ConfigurationKeys.Port, portNode, $"{YamlSection.Quote(portNode.Value ?? string.Empty)} is not a TCP port (1 to 65535).");
            }

            UrlUserInfo.RefuseIfPresent(section, ConfigurationKeys.Host, hostNode, host);

            if (Uri.CheckHostName(host) == UriHostNameType.Unknown)
            {
                throw section.Error(ConfigurationKeys.Host, hostNode, $"{YamlSection.Quote(host)} is not a host name or IP address.");
            }

            endpoints.Add(new UriBuilder(scheme, host, port).Uri);
        }

        var username = section.TryGetScalar(ConfigurationKeys.Username, out var userNode) && !string.IsNullOrEmpty(userNode.Value) ? userNode.Value : null;
        var password = section.TryGetScalar(ConfigurationKeys.Password, out var passwordNode) && !string.IsNullOrEmpty(passwordNode.Value) ? new Secret(passwordNode.Value) : null;
        if ((username is null) != (password is null))
        {
            throw section.Missing(username is null ? ConfigurationKeys.Username : ConfigurationKeys.Password, "etcd authentication needs both username and password");
        }

        return new EtcdConfiguration(
            endpoints,
            caCert,
            cert,
            key,
            username,
            password,
            ConfigurationParser.ReadDuration(section, ConfigurationKeys.Timeout, EtcdConfiguration.DefaultRequestTimeout),
            ConfigurationParser.ReadDuration(section, ConfigurationKeys.LeaseTtl, EtcdConfiguration.DefaultLeaseTtl),
            section.Path ?? ConfigurationKeys.Etcd);
    }

    private static string? OptionalPath(YamlSection section, string key) =>
        section.Has(key) && section.TryGetScalar(key, out var node) && !string.IsNullOrWhiteSpace(node.Value)
            ? ConfigurationParser.ReadPath(section, key, "/etc/etcd/ssl/" + key + ".pem", isFile: true)
            : null;
}
