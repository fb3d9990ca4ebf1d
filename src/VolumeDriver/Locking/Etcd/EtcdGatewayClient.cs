using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using VolumeDriver.CloudCalls;
using VolumeDriver.Configuration;
using VolumeDriver.Host;
using VolumeDriver.Locking.Etcd.Models;

namespace VolumeDriver.Locking.Etcd;

/// <summary>
/// etcd's v3 JSON gateway over HttpClient: every call is a POST of a JSON body. With a username the
/// client authenticates first and sends the token as <c>Authorization: &lt;token&gt;</c> (no "Bearer":
/// etcd refuses that), authenticating again once when etcd answers 401 (simple tokens expire after
/// 5 minutes by default). TLS trusts only the configured CA, and presents the client certificate.
/// Endpoints are tried in order when one cannot be reached. Every failure is a
/// <see cref="CloudRequestException"/> whose error code is etcd's gRPC code (the gateway gives no request id).
/// </summary>
internal sealed partial class EtcdGatewayClient : IEtcdGateway, IDisposable
{
    /// <summary>gRPC's UNAUTHENTICATED, as <see cref="CloudRequestException.ErrorCode"/>.</summary>
    public const string Unauthenticated = "16";

    /// <summary>gRPC's NOT_FOUND ("requested lease not found").</summary>
    public const string NotFound = "5";


    private readonly Lazy<HttpClient> _http;
    private readonly EtcdConfiguration _configuration;
    private readonly EtcdGatewayClientOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly RetryLoop _retry;
    private readonly ILogger _logger;
    private string? _token;
    private int _endpoint;

    /// <param name="configuration">Who logs in (username, password) and the TLS files.</param>
    /// <param name="options">The endpoints, the API version, each request's deadline and the failover between endpoints.</param>
    public EtcdGatewayClient(EtcdConfiguration configuration, EtcdGatewayClientOptions options, TimeProvider timeProvider, ILogger logger)
    {
        _configuration = configuration;
        _options = options;
        _timeProvider = timeProvider;
        _retry = new RetryLoop(timeProvider);
        _logger = logger;
        // Built on the first request, not here: the TLS files are read then, so a verb that never
        // locks (mount) does not fail on them, and one that does gets their ConfigurationException.
        _http = new Lazy<HttpClient>(() => new HttpClient(CreateHandler(configuration, options.RequestTimeout), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan });
    }

    public async Task<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling(ttl.TotalSeconds));
        var response = await PostAsync(CallPath("lease/grant"), new EtcdLeaseGrantRequest(seconds), EtcdJsonContext.Default.EtcdLeaseGrantRequest, EtcdJsonContext.Default.EtcdLeaseGrantResponse, _options.RequestTimeout, cancellationToken);
        return response.Id != 0 && string.IsNullOrEmpty(response.Error)
            ? response.Id
            : throw Failure(CallPath("lease/grant"), 200, null, $"etcd at {CurrentEndpoint} did not grant a lease: {response.Error ?? "no lease id in the answer"}");
    }

    public async Task<TimeSpan?> KeepAliveAsync(long leaseId, CancellationToken cancellationToken)
    {
        var response = await PostAsync(CallPath("lease/keepalive"), new EtcdLeaseIdRequest(leaseId), EtcdJsonContext.Default.EtcdLeaseIdRequest, EtcdJsonContext.Default.EtcdLeaseKeepAliveResponse, _options.RequestTimeout, cancellationToken);

        // A revoked or expired lease still answers 200, with no TTL.
        return response.Result is { Ttl: > 0 } result ? TimeSpan.FromSeconds(result.Ttl) : null;
    }

    public async Task RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken)
    {
        try
        {
            await PostAsync(CallPath("lease/revoke"), new EtcdLeaseIdRequest(leaseId), EtcdJsonContext.Default.EtcdLeaseIdRequest, EtcdJsonContext.Default.EtcdEmptyResponse, _options.RequestTimeout, cancellationToken);
        }
        catch (CloudRequestException e) when (e.ErrorCode == NotFound)
        {
            // "requested lease not found": it expired or was revoked already.
        }
    }

    public async Task<string> LockAsync(string name, long leaseId, CancellationToken cancellationToken)
    {
        // No timeout of our own: the caller's token is the acquire deadline. When it fires the
        // connection closes and etcd removes the waiter's key, so nothing is left queued.
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(name));
        var response = await PostAsync(CallPath("lock/lock"), new EtcdLockRequest(encoded, leaseId), EtcdJsonContext.Default.EtcdLockRequest, EtcdJsonContext.Default.EtcdLockResponse, Timeout.InfiniteTimeSpan, cancellationToken);
        return response.Key ?? throw Failure(CallPath("lock/lock"), 200, null, $"etcd at {CurrentEndpoint} granted the lock {name} without a key");
    }

    public Task UnlockAsync(string key, CancellationToken cancellationToken) =>
        PostAsync(CallPath("lock/unlock"), new EtcdUnlockRequest(key), EtcdJsonContext.Default.EtcdUnlockRequest, EtcdJsonContext.Default.EtcdEmptyResponse, _options.RequestTimeout, cancellationToken);

    public void Dispose()
    {
        if (_http.IsValueCreated)
        {
            _http.Value.Dispose();
        }
    }

    /// <summary>The gateway's path for <paramref name="call"/> (lease/grant) at the options' API version.</summary>
    private string CallPath(string call) => "/" + _options.ApiVersion + "/" + call;

    private Uri CurrentEndpoint => _options.Endpoints[_endpoint % _options.Endpoints.Count];

    private async Task<TResponse> PostAsync<TRequest, TResponse>(string path, TRequest body, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_configuration.Username is not null && _token is null)
        {
            _token = await AuthenticateAsync(cancellationToken);
        }

        try
        {
            return await PostOnceAsync(path, body, requestType, responseType, timeout, cancellationToken);
        }
        catch (CloudRequestException e) when (e.ErrorCode == Unauthenticated && _configuration.Username is not null)
        {
            _token = await AuthenticateAsync(cancellationToken);
            return await PostOnceAsync(path, body, requestType, responseType, timeout, cancellationToken);
        }
    }

    private async Task<string> AuthenticateAsync(CancellationToken cancellationToken)
    {
        var request = new EtcdAuthenticateRequest(_configuration.Username!, _configuration.Password!.Reveal());
        _token = null;
        var response = await PostOnceAsync(CallPath("auth/authenticate"), request, EtcdJsonContext.Default.EtcdAuthenticateRequest, EtcdJsonContext.Default.EtcdAuthenticateResponse, _options.RequestTimeout, cancellationToken);
        return response.Token ?? throw Failure(CallPath("auth/authenticate"), 200, null, $"etcd at {CurrentEndpoint} authenticated user '{_configuration.Username}' but sent no token");
    }

    /// <summary>
    /// One POST under its own deadline (<paramref name="timeout"/> on the injected clock, or none),
    /// moving on to the next endpoint when one cannot be reached.
    /// </summary>
    private async Task<TResponse> PostOnceAsync<TRequest, TResponse>(string path, TRequest body, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await _retry.RunAsync(
                _options.Failover,
                null,
                token => PostToCurrentEndpointAsync(path, body, requestType, responseType, timeout, token),
                attempt => attempt.Exception is HttpRequestException,
                null,
                (attempt, _) =>
                {
                    LogEndpointFailed(_logger, CurrentEndpoint.ToString(), attempt.Exception!.Message);
                    _endpoint++;
                },
                cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw Failure(path, 0, null, $"cannot reach etcd at {string.Join(", ", _options.Endpoints)}: {e.Message}; check the etcd section of the configuration (host, port, TLS files) and that etcd runs", e);
        }
    }

    private async Task<TResponse> PostToCurrentEndpointAsync<TRequest, TResponse>(string path, TRequest body, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var endpoint = CurrentEndpoint;
        using var deadline = Deadline.Start($"etcd's {path}", timeout, _timeProvider, cancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint, path))
        {
            Content = new StringContent(JsonSerializer.Serialize(body, requestType), Encoding.UTF8, "application/json"),
        };
        if (_token is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", _token);
        }

        var started = _timeProvider.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await _http.Value.SendAsync(request, deadline.Token);
        }
        catch (OperationCanceledException e) when (deadline.Caused(e))
        {
            throw Failure(path, 0, null, $"etcd at {endpoint} did not answer {path} within {timeout.TotalSeconds:0.#} s; check that it is healthy (etcd timeout setting: {_options.RequestTimeout.TotalSeconds:0.#} s)", e);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            var elapsedMs = _timeProvider.GetElapsedTime(started).TotalMilliseconds;
            LogCall(_logger, path, (int)response.StatusCode, elapsedMs);
            if (!response.IsSuccessStatusCode)
            {
                throw ErrorFrom(endpoint, path, response.StatusCode, text);
            }

            try
            {
                return JsonSerializer.Deserialize(text, responseType) ?? throw Failure(path, (int)response.StatusCode, null, $"etcd at {endpoint} answered {path} with an empty body");
            }
            catch (JsonException e)
            {
                throw Failure(path, (int)response.StatusCode, null, $"etcd at {endpoint} answered {path} with a body that is not the gateway's JSON: {e.Message}", e);
            }
        }
    }

    private static CloudRequestException Failure(string path, int status, string? grpcCode, string message, Exception? innerException = null) =>
        new(CloudService.Etcd, path, status, grpcCode, CloudRequestIds.None, message, innerException);

    private static CloudRequestException ErrorFrom(Uri endpoint, string path, HttpStatusCode status, string text)
    {
        EtcdErrorResponse? error = null;
        try
        {
            error = JsonSerializer.Deserialize(text, EtcdJsonContext.Default.EtcdErrorResponse);
        }
        catch (JsonException)
        {
            // Not the gateway's error body.
        }

        var said = error?.Message ?? error?.Error ?? $"HTTP {(int)status}";
        var code = error?.Code.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var hint = code == Unauthenticated || said.Contains("authentication failed", StringComparison.Ordinal) || said.Contains("user name is empty", StringComparison.Ordinal)
            ? "; check the etcd username and password in the configuration"
            : string.Empty;
        return Failure(path, (int)status, code, $"etcd at {endpoint} refused {path}: {said}{hint}");
    }

    private static SocketsHttpHandler CreateHandler(EtcdConfiguration configuration, TimeSpan connectTimeout)
    {
        var handler = new SocketsHttpHandler { ConnectTimeout = connectTimeout, UseCookies = false, AllowAutoRedirect = false };
        if (EtcdTlsFiles.LoadClientCertificate(configuration) is { } certificate)
        {
            handler.SslOptions.ClientCertificates = [certificate];
        }

        if (EtcdTlsFiles.LoadCertificateAuthorities(configuration) is { } roots)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = TlsTrust.OnlyRoots(roots);
        }

        return handler;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "etcd POST {Path} -> {Status} in {DurationMs:0} ms")]
    private static partial void LogCall(ILogger logger, string path, int status, double durationMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "etcd endpoint {Endpoint} cannot be reached ({Reason}); trying the next one")]
    private static partial void LogEndpointFailed(ILogger logger, string endpoint, string reason);
}
