using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using VolumeDriver.Configuration;

namespace VolumeDriver.Backends.VCloud;

/// <summary>
/// Keeps the session token in a root-only file so that the next invocation reuses it instead of
/// logging in (the Python driver logged in and out on every call, two or more logins per attach).
/// The directory is 0700 and the file 0600, written to a temporary name and renamed so a reader
/// never sees half a file. A cache that cannot be read is simply a miss.
/// </summary>
internal sealed partial class VCloudSessionCache
{
    private readonly VCloudConfiguration _configuration;
    private readonly ILogger _logger;
    private readonly string _path;

    public VCloudSessionCache(VCloudConfiguration configuration, ILogger logger)
    {
        _configuration = configuration;
        _logger = logger;
        _path = Path.Join(configuration.StateDirectory, "session-" + KeyOf(configuration) + ".json");
    }

    public string FilePath => _path;

    public async Task<VCloudSession?> LoadAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!File.Exists(_path))
            {
                return null;
            }

            if ((File.GetUnixFileMode(_path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
            {
                // Someone widened the file's mode: its token may have been read, so do not use it.
                LogIgnored(_logger, _path, "it is readable by others");
                File.Delete(_path);
                return null;
            }

            await using var stream = File.OpenRead(_path);
            var entry = await JsonSerializer.DeserializeAsync(stream, VCloudSessionJsonContext.Default.VCloudSessionCacheEntry, cancellationToken);
            if (entry is null || entry.Endpoint != _configuration.Endpoint.ToString() || entry.Org != _configuration.Org
                || entry.User != _configuration.Username || entry.Vdc != _configuration.Vdc)
            {
                return null;
            }

            return entry.Session;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            LogIgnored(_logger, _path, e.Message);
            return null;
        }
    }

    public async Task SaveAsync(VCloudSession session, CancellationToken cancellationToken)
    {
        try
        {
            Directory.CreateDirectory(_configuration.StateDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var temporary = _path + "." + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".tmp";
            var entry = new VCloudSessionCacheEntry(_configuration.Endpoint.ToString(), _configuration.Org, _configuration.Username, _configuration.Vdc, session);
            var options = new FileStreamOptions
            {
                Mode = FileMode.Create,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            };
            await using (var stream = new FileStream(temporary, options))
            {
                await JsonSerializer.SerializeAsync(stream, entry, VCloudSessionJsonContext.Default.VCloudSessionCacheEntry, cancellationToken);
            }

            File.Move(temporary, _path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not fatal: the next invocation logs in again.
            LogNotSaved(_logger, _path, e.Message);
        }
    }

    public void Forget()
    {
        try
        {
            File.Delete(_path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogNotSaved(_logger, _path, e.Message);
        }
    }

    /// <summary>One cache file per endpoint, org, user and VDC; the name reveals none of them.</summary>
    private static string KeyOf(VCloudConfiguration configuration)
    {
        var identity = string.Join('\n', configuration.Endpoint.ToString(), configuration.Org, configuration.Username, configuration.Vdc);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..16];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignoring the vCloud session cache {Path}: {Reason}")]
    private static partial void LogIgnored(ILogger logger, string path, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write the vCloud session cache {Path}: {Reason}")]
    private static partial void LogNotSaved(ILogger logger, string path, string reason);
}
