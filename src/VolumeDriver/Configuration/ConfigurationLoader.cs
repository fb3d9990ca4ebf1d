using System.Text;
using VolumeDriver.Errors;
using VolumeDriver.Host;

namespace VolumeDriver.Configuration;

/// <summary>
/// Loads the driver's configuration: finds the file with <see cref="ConfigurationLocator"/>, reads it
/// (UTF-8, bounded in size) and maps it with <see cref="ConfigurationParser"/>. When no file exists the
/// defaults apply. Every failure is a <see cref="ConfigurationException"/>.
/// </summary>
internal sealed class ConfigurationLoader
{
    /// <summary>A configuration file is a few hundred bytes; anything past this is not one.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ConfigurationLocator _locator;
    private readonly BackendKind? _impliedBackend;

    /// <param name="executablePath">
    /// This executable's path: installed as <c>vcloud</c> (the Python driver's name, in
    /// <c>answear.com~vcloud/</c>) it means the vCloud backend when the file names none.
    /// </param>
    public ConfigurationLoader(ConfigurationLocator locator, string? executablePath = null)
    {
        _locator = locator;
        _impliedBackend = executablePath is not null && Path.GetFileName(executablePath) == ConfigurationKeys.PythonVCloudDriverExecutable
            ? BackendKind.VCloud
            : null;
    }

    /// <param name="explicitPath">The <c>--config</c> value, or null when the option was not given.</param>
    /// <remarks>The file is a few KiB of local disk, read synchronously; the Task shape is the callers'.</remarks>
    public Task<DriverConfiguration> LoadAsync(string? explicitPath, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Load(explicitPath));
    }

    private DriverConfiguration Load(string? explicitPath)
    {
        var path = _locator.Locate(explicitPath);
        if (path is null)
        {
            return _impliedBackend is BackendKind.VCloud
                ? throw new ConfigurationException(null, ConfigurationKeys.VCloud, $"This driver is installed as '{ConfigurationKeys.PythonVCloudDriverExecutable}', so it serves vCloud disks, but no configuration file was found (looked for --config, ${ConfigurationKeys.EnvironmentVariable}, config.yaml beside the executable, {ConfigurationKeys.SystemPath} and {ConfigurationKeys.PythonVCloudDriverPath}). Write one with a vcloud section.")
                : DriverConfiguration.Defaults;
        }

        var text = ReadFile(path);
        return ConfigurationParser.Parse(text, path, _impliedBackend);
    }

    /// <summary>Reads the file as UTF-8 text; internal so tests can reach the failure paths directly.</summary>
    internal static string ReadFile(string path)
    {
        byte[] content;
        try
        {
            content = RegularFile.Read(path, MaxFileBytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException(
                path,
                null,
                $"Configuration file '{path}' cannot be read: {e.Message} Check that it is a regular file (at most {MaxFileBytes / 1024} KiB) the driver (running as root under kubelet) can read.",
                e);
        }

        var bytes = content.AsSpan();
        var byteOrderMark = "\uFEFF"u8;
        if (bytes.StartsWith(byteOrderMark))
        {
            bytes = bytes[byteOrderMark.Length..];
        }

        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new ConfigurationException(
                path,
                null,
                $"Configuration file '{path}' is not UTF-8 text (an invalid byte near offset {e.Index}). Save it as UTF-8.",
                e);
        }
    }
}
