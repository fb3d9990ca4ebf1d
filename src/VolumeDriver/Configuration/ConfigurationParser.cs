using System.Globalization;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace VolumeDriver.Configuration;

/// <summary>
/// Maps the text of a configuration file into a validated <see cref="DriverConfiguration"/>, by hand
/// over YamlDotNet's representation model (no reflection). Missing or null keys take the defaults of
/// <see cref="DriverConfiguration.Defaults"/>; anything else that is not understood is a
/// <see cref="ConfigurationException"/> naming the file and the dotted key.
/// </summary>
internal static class ConfigurationParser
{
    /// <summary>The longest duration any setting accepts.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromHours(24);

    private const string DurationRule =
        "Write a whole number followed by ms, s, m or h (for example 500ms, 90s, 2m, 1h), or a plain whole number of seconds; it must be more than 0 and at most 24h.";

    /// <param name="impliedBackend">
    /// The backend the executable's name implies (installed as <c>vcloud</c> in place of the Python
    /// driver), used when the file names none.
    /// </param>
    public static DriverConfiguration Parse(string yaml, string file, BackendKind? impliedBackend = null)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new ConfigurationException(
                file,
                null,
                $"Configuration file '{file}' is not valid YAML (line {e.Start.Line}, column {e.Start.Column}): {e.Message} Fix the syntax; config/config.yaml in the repository is a commented example.",
                e);
        }

        var defaults = DriverConfiguration.Defaults;
        if (stream.Documents.Count == 0)
        {
            // An empty file, or one with only comments.
            return Validate(defaults with { SourceFile = file, Backend = impliedBackend ?? defaults.Backend }, file);
        }

        if (stream.Documents.Count > 1)
        {
            throw new ConfigurationException(
                file,
                null,
                $"Configuration file '{file}' holds {stream.Documents.Count} YAML documents (separated by '---'); it must hold one.");
        }

        var root = YamlSection.Create(file, null, stream.Documents[0].RootNode, ConfigurationKeys.TopLevel);

        var backend = root.TryGetScalar(ConfigurationKeys.Backend, out var backendNode)
            ? ParseBackend(root, ConfigurationKeys.Backend, backendNode)
            : impliedBackend ?? ImpliedBySections(root);

        var nodeName = root.TryGetScalar(ConfigurationKeys.NodeName, out var nodeNameNode)
            ? ParseNodeName(root, ConfigurationKeys.NodeName, nodeNameNode)
            : defaults.NodeName;

        var loopSection = root.Section(ConfigurationKeys.Loop, ConfigurationKeys.LoopSection);
        var loop = new LoopConfiguration(
            Directory: ReadPath(loopSection, ConfigurationKeys.Directory, defaults.Loop.Directory, isFile: false),
            Overcommit: ReadOvercommit(loopSection, ConfigurationKeys.Overcommit, defaults.Loop.Overcommit));

        var logSection = root.Section(ConfigurationKeys.Log, ConfigurationKeys.LogSection);
        var log = new LogConfiguration(
            File: ReadPath(logSection, ConfigurationKeys.File, defaults.Log.File, isFile: true),
            Level: logSection.TryGetScalar(ConfigurationKeys.Level, out var levelNode)
                ? ParseLevel(logSection, ConfigurationKeys.Level, levelNode)
                : defaults.Log.Level);

        var azureSection = root.Section(ConfigurationKeys.Azure, ConfigurationKeys.AzureSection);
        var azure = new AzureConfiguration(
            ReadPath(azureSection, ConfigurationKeys.CloudConfig, AzureConfiguration.Defaults.CloudConfigFile, isFile: true),
            azureSection.Has(ConfigurationKeys.CaCertificate) ? ReadPath(azureSection, ConfigurationKeys.CaCertificate, "/etc/ssl/certs/azure-stack-ca.pem", isFile: true) : null,
            ReadPath(azureSection, ConfigurationKeys.AzureStateDirectory, AzureConfiguration.DefaultStateDirectory, isFile: false),
            azureSection.Has(ConfigurationKeys.AzureDrainWait) ? ReadDuration(azureSection, ConfigurationKeys.AzureDrainWait, TimeSpan.FromSeconds(60)) : null,
            ReadBlobServiceVersion(azureSection));

        var vcloudSection = root.Section(ConfigurationKeys.VCloud, ConfigurationKeys.VCloudSection);
        var vcloud = VCloudConfigurationParser.Parse(vcloudSection, required: backend == BackendKind.VCloud);

        var lockingSection = root.Section(ConfigurationKeys.Locking, ConfigurationKeys.LockingSection);
        var etcd = EtcdConfigurationParser.Parse(lockingSection.Section(ConfigurationKeys.Etcd, ConfigurationKeys.EtcdSection))
            ?? EtcdConfigurationParser.Parse(vcloudSection.Section(ConfigurationKeys.Etcd, ConfigurationKeys.EtcdSection));
        var locking = new LockConfiguration(
            Directory: ReadPath(lockingSection, ConfigurationKeys.Directory, defaults.Locking.Directory, isFile: false),
            Timeout: ReadDuration(lockingSection, ConfigurationKeys.Timeout, defaults.Locking.Timeout),
            Etcd: etcd);

        var nodeSection = root.Section(ConfigurationKeys.Node, ConfigurationKeys.NodeSection);
        var node = new NodeConfiguration(
            DeviceTimeout: ReadDuration(nodeSection, ConfigurationKeys.DeviceTimeout, defaults.Node.DeviceTimeout),
            CommandTimeout: ReadDuration(nodeSection, ConfigurationKeys.CommandTimeout, defaults.Node.CommandTimeout),
            EmulationRoot: nodeSection.Has(ConfigurationKeys.EmulationRoot) ? ReadPath(nodeSection, ConfigurationKeys.EmulationRoot, "/var/lib/volume-driver/emulated-node", isFile: false) : null,
            AllowSuidAndDevices: nodeSection.ReadBoolean(ConfigurationKeys.AllowSuidAndDevices, defaults.Node.AllowSuidAndDevices));

        if (vcloud is { Debug: true } && !logSection.TryGetScalar(ConfigurationKeys.Level, out _))
        {
            // The Python driver's debug flag, when the file does not set a level of its own.
            log = log with { Level = LogLevelSetting.Debug };
        }

        return Validate(new DriverConfiguration(file, backend, nodeName, loop, log, locking, node) { VCloud = vcloud, Azure = azure }, file);
    }

    /// <summary>A backend whose section is missing cannot run: say so now, not at the first verb.</summary>
    private static DriverConfiguration Validate(DriverConfiguration configuration, string file) =>
        configuration.Backend == BackendKind.VCloud && configuration.VCloud is null
            ? throw new ConfigurationException(file, ConfigurationKeys.VCloud, $"Configuration file '{file}' selects the vcloud backend but has no '{ConfigurationKeys.VCloud}' section (host, org, vdc, username, password); config/vcloud.yaml in the repository is an example.")
            : configuration;

    /// <summary>
    /// Without a backend key, a file whose only backend section is <c>vcloud:</c> (the Python driver's
    /// config.yaml) means the vCloud backend; anything else means the default.
    /// </summary>
    private static BackendKind ImpliedBySections(YamlSection root) =>
        root.Has(ConfigurationKeys.VCloud) && !root.Has(ConfigurationKeys.Loop) ? BackendKind.VCloud : DriverConfiguration.Defaults.Backend;

    /// <summary>
    /// Parses <c>90s</c>, <c>2m</c>, <c>1h</c>, <c>500ms</c> or a plain number of seconds, more than
    /// zero and at most <see cref="MaxDuration"/>.
    /// </summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        var digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
        {
            digits++;
        }

        long millisecondsPerUnit = text[digits..] switch
        {
            "" or "s" => 1000,
            "ms" => 1,
            "m" => 60 * 1000,
            "h" => 60 * 60 * 1000,
            _ => 0,
        };

        if (digits == 0 || millisecondsPerUnit == 0
            || !long.TryParse(text.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            return false;
        }

        var maxMilliseconds = (long)MaxDuration.TotalMilliseconds;
        if (count == 0 || count > maxMilliseconds / millisecondsPerUnit)
        {
            return false;
        }

        duration = TimeSpan.FromMilliseconds(count * millisecondsPerUnit);
        return true;
    }

    private static BackendKind ParseBackend(YamlSection section, string key, YamlScalarNode node)
    {
        var value = node.Value ?? string.Empty;
        if (string.Equals(value, ConfigurationKeys.LoopBackend, StringComparison.OrdinalIgnoreCase))
        {
            return BackendKind.Loop;
        }

        if (string.Equals(value, ConfigurationKeys.VCloudBackend, StringComparison.OrdinalIgnoreCase))
        {
            return BackendKind.VCloud;
        }

        if (string.Equals(value, ConfigurationKeys.AzureBackend, StringComparison.OrdinalIgnoreCase))
        {
            return BackendKind.Azure;
        }

        throw section.Error(
            key,
            node,
            $"{YamlSection.Quote(value)} is not a backend. Allowed: {ConfigurationKeys.LoopBackend}, {ConfigurationKeys.VCloudBackend}, {ConfigurationKeys.AzureBackend}.");
    }

    private static string ParseNodeName(YamlSection section, string key, YamlScalarNode node)
    {
        var value = node.Value ?? string.Empty;
        if (!NodeName.TryCreate(value, out _, out var problem))
        {
            throw section.Error(key, node, $"{YamlSection.Quote(value)} is not a Kubernetes node name: {problem}. Leave the key out to use the host name.");
        }

        return value;
    }

    private static LogLevelSetting ParseLevel(YamlSection section, string key, YamlScalarNode node)
    {
        var value = node.Value ?? string.Empty;
        foreach (var level in Enum.GetValues<LogLevelSetting>())
        {
            if (string.Equals(value, level.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                return level;
            }
        }

        var allowed = string.Join(", ", Enum.GetValues<LogLevelSetting>().Select(l => l.ToString().ToLowerInvariant()));
        throw section.Error(key, node, $"{YamlSection.Quote(value)} is not a log level. Allowed (any case): {allowed}.");
    }

    internal static string ReadPath(YamlSection section, string key, string defaultValue, bool isFile)
    {
        if (!section.TryGetScalar(key, out var node))
        {
            return defaultValue;
        }

        var value = node.Value ?? string.Empty;
        var what = isFile ? "file" : "directory";
        string? problem = null;
        if (!value.StartsWith('/'))
        {
            problem = "is not an absolute path";
        }
        else if (value.Contains('\0', StringComparison.Ordinal))
        {
            problem = "contains a NUL character";
        }
        else if (value.Split('/').Contains(".."))
        {
            problem = "contains a '..' segment";
        }
        else if (isFile && value.EndsWith('/'))
        {
            problem = "ends with '/', so it names a directory";
        }

        if (problem is not null)
        {
            throw section.Error(key, node, $"{YamlSection.Quote(value)} {problem}. Write the absolute path of a {what}, without '..' segments (for example {defaultValue}).");
        }

        return value;
    }

    /// <summary>azure.blobServiceVersion: a Blob service version the SDK speaks, spelled as the REST API spells it.</summary>
    private static string ReadBlobServiceVersion(YamlSection section)
    {
        if (!section.TryGetScalar(ConfigurationKeys.AzureBlobServiceVersion, out var node))
        {
            return BlobServiceVersions.Default;
        }

        var value = node.Value ?? string.Empty;
        return BlobServiceVersions.TryParse(value, out _)
            ? value.Trim()
            : throw section.Error(
                ConfigurationKeys.AzureBlobServiceVersion,
                node,
                $"{YamlSection.Quote(value)} is not a Blob service version this driver speaks. Azure Stack Hub serves up to {BlobServiceVersions.Default} (the default); allowed: {string.Join(", ", BlobServiceVersions.Known())}.");
    }

    private static double ReadOvercommit(YamlSection section, string key, double defaultValue)
    {
        if (!section.TryGetScalar(key, out var node))
        {
            return defaultValue;
        }

        var value = node.Value ?? string.Empty;
        if (!double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var ratio) || ratio <= 0 || ratio > LoopConfiguration.MaxOvercommit)
        {
            throw section.Error(key, node, $"{YamlSection.Quote(value)} is not an overcommit ratio. Write a number above 0 and at most 1000: with 1 (the default) a new image may be as large as the free space of its filesystem, with 2 twice as large.");
        }

        return ratio;
    }

    internal static TimeSpan ReadDuration(YamlSection section, string key, TimeSpan defaultValue)
    {
        if (!section.TryGetScalar(key, out var node))
        {
            return defaultValue;
        }

        var value = node.Value ?? string.Empty;
        if (!TryParseDuration(value, out var duration))
        {
            throw section.Error(key, node, $"{YamlSection.Quote(value)} is not an allowed duration. {DurationRule}");
        }

        return duration;
    }
}
