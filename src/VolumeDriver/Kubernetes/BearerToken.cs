using VolumeDriver.Errors;

namespace VolumeDriver.Kubernetes;

/// <summary>
/// The bearer token requests carry: a fixed one (a kubeconfig's token), or one read from a file and
/// read again every <see cref="FileRefreshInterval"/> on the injected clock and after the server
/// answers 401, because a projected service-account token rotates under a running process (client-go
/// re-reads its token file about once a minute, too). The token never appears in a message.
/// </summary>
internal sealed class BearerToken
{
    /// <summary>How long a token read from a file is used before the file is read again.</summary>
    public static readonly TimeSpan FileRefreshInterval = TimeSpan.FromMinutes(1);

    private readonly Lock _lock = new();
    private readonly TimeProvider _timeProvider;
    private string? _value;
    private long _readAt;

    private BearerToken(string? value, string? file, TimeProvider timeProvider)
    {
        _value = value;
        File = file;
        _timeProvider = timeProvider;
    }

    /// <summary>The file the token is read from, or null for a fixed token.</summary>
    public string? File { get; }

    public static BearerToken Fixed(string value) => new(value, null, TimeProvider.System);

    public static BearerToken FromFile(string file, TimeProvider timeProvider) => new(null, file, timeProvider);

    /// <summary>The token to send now, reading the file when it is due.</summary>
    public async Task<string> GetAsync(CancellationToken cancellationToken)
    {
        if (File is null)
        {
            return _value!;
        }

        lock (_lock)
        {
            if (_value is not null && _timeProvider.GetElapsedTime(_readAt) < FileRefreshInterval)
            {
                return _value;
            }
        }

        var read = await ReadAsync(File, cancellationToken);
        lock (_lock)
        {
            _value = read;
            _readAt = _timeProvider.GetTimestamp();
            return read;
        }
    }

    /// <summary>The server refused the token: read the file again before the next request.</summary>
    public void Invalidate()
    {
        if (File is not null)
        {
            lock (_lock)
            {
                _value = null;
            }
        }
    }

    private static async Task<string> ReadAsync(string file, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await System.IO.File.ReadAllTextAsync(file, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException(file, null, $"The Kubernetes token file '{file}' cannot be read: {e.Message}", e);
        }

        var token = text.Trim();
        return token.Length > 0 ? token : throw new ConfigurationException(file, null, $"The Kubernetes token file '{file}' is empty.");
    }
}
