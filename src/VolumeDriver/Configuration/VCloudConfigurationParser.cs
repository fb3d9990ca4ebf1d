using VolumeDriver.Domain;

namespace VolumeDriver.Configuration;

/// <summary>
/// Reads the <c>vcloud:</c> section. The Python driver's file loads as it is: its keys keep their
/// snake_case names, <c>host</c> has no scheme, <c>verify_ssl_certs</c> may be <c>False</c>, and its
/// pyvcloud wire-log keys (<c>log</c>, <c>log_file</c>) are accepted and left unused, because this
/// driver logs one line per request in its own log and never a request body.
/// </summary>
internal static class VCloudConfigurationParser
{
    /// <summary>The section as a record, or null when it is absent and not <paramref name="required"/>.</summary>
    public static VCloudConfiguration? Parse(YamlSection section, bool required)
    {
        if (!section.Has(ConfigurationKeys.Host) && !required
            && !section.Has(ConfigurationKeys.Org) && !section.Has(ConfigurationKeys.Username))
        {
            return null;
        }

        // The Python keys that configured pyvcloud's own wire log: read so that a bad value is still reported.
        section.ReadBoolean(ConfigurationKeys.PyvcloudLog, defaultValue: false);
        section.TryGetScalar(ConfigurationKeys.PyvcloudLogFile, out _);

        var host = RequireText(section, ConfigurationKeys.Host, "the vCloud Director host name, as in vcd.example.com");
        var password = RequireText(section, ConfigurationKeys.Password, "the password of the vCloud user");
        return new VCloudConfiguration(
            Endpoint: ParseEndpoint(section, host),
            Org: RequireText(section, ConfigurationKeys.Org, "the organisation name"),
            Vdc: RequireText(section, ConfigurationKeys.Vdc, "the VDC name"),
            Username: RequireText(section, ConfigurationKeys.Username, "the vCloud user name, without @org"),
            Password: new Secret(password),
            PreferredApiVersion: OptionalText(section, ConfigurationKeys.ApiVersion),
            DefaultStorage: OptionalText(section, ConfigurationKeys.DefaultStorage),
            VerifyTlsCertificates: section.ReadBoolean(ConfigurationKeys.VerifySslCerts, defaultValue: true),
            CaCertificateFile: section.Has(ConfigurationKeys.CaCert) ? ConfigurationParser.ReadPath(section, ConfigurationKeys.CaCert, "/etc/ssl/certs/vcd-ca.pem", isFile: true) : null,
            StateDirectory: ConfigurationParser.ReadPath(section, ConfigurationKeys.StateDir, VCloudConfiguration.DefaultStateDirectory, isFile: false),
            VmNames: section.ReadStringMap(ConfigurationKeys.VmNames),
            VApp: OptionalText(section, ConfigurationKeys.VApp),
            TaskTimeout: ConfigurationParser.ReadDuration(section, ConfigurationKeys.TaskTimeout, VCloudConfiguration.DefaultTaskTimeout),
            DrainWait: ConfigurationParser.ReadDuration(section, ConfigurationKeys.DrainWait, VCloudConfiguration.DefaultDrainWait),
            DetachFromPoweredOffVms: section.ReadBoolean(ConfigurationKeys.DetachPoweredOff, defaultValue: false),
            Debug: section.ReadBoolean(ConfigurationKeys.Debug, defaultValue: false));
    }

    /// <summary>
    /// The Python driver's host is a bare name (it always spoke HTTPS); a full URL with a scheme and
    /// port is accepted too, which is how tests and non-standard ports are configured.
    /// </summary>
    private static Uri ParseEndpoint(YamlSection section, string host)
    {
        section.TryGetScalar(ConfigurationKeys.Host, out var hostNode);
        UrlUserInfo.RefuseIfPresent(section, ConfigurationKeys.Host, hostNode!, host);

        var text = host.Contains("://", StringComparison.Ordinal) ? host : "https://" + host;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.Query.Length > 0 || uri.Fragment.Length > 0
)
        {
            throw section.Error(ConfigurationKeys.Host, hostNode!, $"{YamlSection.Quote(host)} is not a host name or an https:// URL of vCloud Director.");
        }

        // The API paths (api/versions, api/query...) are resolved against this, so it ends in '/'.
        return new Uri(uri.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/");
    }

    private static string RequireText(YamlSection section, string key, string what)
    {
        if (section.TryGetScalar(key, out var node) && !string.IsNullOrWhiteSpace(node.Value))
        {
            return node.Value;
        }

        throw section.Missing(key, $"the vcloud backend needs it: {what}");
    }

    private static string? OptionalText(YamlSection section, string key) =>
        section.TryGetScalar(key, out var node) && !string.IsNullOrWhiteSpace(node.Value) ? node.Value.Trim() : null;
}
