using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace VolumeDriver.Provisioning;

/// <summary>
/// /healthz (the process serves requests) and /readyz (<see cref="ProvisionerHealth"/>) for the
/// Deployment's probes, as a minimal HTTP/1.1 responder on a socket: one GET per connection, the
/// answer, then close. No ASP.NET and no HttpListener, which keep the NativeAOT executable small.
/// A request that does not arrive within <see cref="RequestTimeout"/> or is larger than 8 KiB is
/// dropped; probes send a few hundred bytes.
/// </summary>
internal sealed partial class HealthServer : IAsyncDisposable
{
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    private const int MaxRequestBytes = 8 * 1024;

    private readonly TcpListener _listener;
    private readonly ProvisionerHealth _health;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _accepting;

    public HealthServer(IPEndPoint endpoint, ProvisionerHealth health, TimeProvider timeProvider, ILogger logger)
    {
        _listener = new TcpListener(endpoint);
        _health = health;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>The port it listens on (the one asked for, or the one the system chose for 0).</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Start()
    {
        _listener.Start();
        _accepting = AcceptAsync(_stopping.Token);
        LogListening(_logger, Port);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        if (_accepting is not null)
        {
            await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stopping.Dispose();
    }

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException && cancellationToken.IsCancellationRequested)
            {
                return;
            }

            _ = AnswerAsync(socket, cancellationToken);
        }
    }

    /// <summary>Answers one connection; every failure ends with the connection closed, never with an exception.</summary>
    private async Task AnswerAsync(Socket socket, CancellationToken cancellationToken)
    {
        using (socket)
        {
            try
            {
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                using var timer = _timeProvider.CreateTimer(_ => deadline.Cancel(), null, RequestTimeout, Timeout.InfiniteTimeSpan);
                var path = await ReadPathAsync(socket, deadline.Token);
                var (status, body) = path switch
                {
                    null => (400, "bad request\n"),
                    "/healthz" or "/livez" => (200, "ok\n"),
                    "/readyz" => _health.NotReadyBecause() is { } reason ? (503, reason + "\n") : (200, "ok\n"),
                    _ => (404, "not found: /healthz and /readyz are served\n"),
                };
                await socket.SendAsync(Response(status, body), SocketFlags.None, deadline.Token);
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // A probe that hung up or took too long; the next one asks again.
            }
        }
    }

    /// <summary>The path of "GET /path HTTP/1.x", read up to the end of the headers; null for anything else.</summary>
    private static async Task<string?> ReadPathAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxRequestBytes];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                break;
            }

            length += read;
            if (buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8) >= 0)
            {
                break;
            }
        }

        var text = Encoding.ASCII.GetString(buffer, 0, length);
        var lineEnd = text.IndexOf("\r\n", StringComparison.Ordinal);
        var parts = (lineEnd < 0 ? text : text[..lineEnd]).Split(' ');
        if (parts is not ["GET" or "HEAD", var target, var version] || !version.StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            return null;
        }

        var query = target.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? target : target[..query];
    }

    private static byte[] Response(int status, string body)
    {
        var reason = status switch
        {
            200 => "OK",
            400 => "Bad Request",
            404 => "Not Found",
            _ => "Service Unavailable",
        };
        var bytes = Encoding.UTF8.GetByteCount(body);
        return Encoding.UTF8.GetBytes(string.Create(
            CultureInfo.InvariantCulture,
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {bytes}\r\nConnection: close\r\n\r\n{body}"));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving /healthz and /readyz on port {Port}")]
    private static partial void LogListening(ILogger logger, int port);
}
