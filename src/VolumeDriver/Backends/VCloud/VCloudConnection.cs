using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Microsoft.Extensions.Logging;
using VolumeDriver.CloudCalls;
using VolumeDriver.Configuration;
using VolumeDriver.Errors;

namespace VolumeDriver.Backends.VCloud;

/// <summary>
/// The HTTP side of the vCloud API: version negotiation, login, the cached session, and one request
/// with exactly one auth header, the versioned Accept header, a log line (method, path, status,
/// duration, vCD's request id; never a token or the query's values), a deadline on the injected
/// clock, and vCD's <c>Error</c> body turned into a <see cref="CloudRequestException"/> naming the
/// request id. A 401 on a cached token logs in again once.
/// </summary>
internal sealed partial class VCloudConnection
{
    private const string LegacyTokenHeader = "x-vcloud-authorization";
    private const string BearerTokenHeader = "X-VMWARE-VCLOUD-ACCESS-TOKEN";

    private readonly HttpClient _http;
    private readonly VCloudConfiguration _configuration;
    private readonly VCloudClientOptions _options;
    private readonly VCloudSessionCache _cache;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private VCloudSession? _session;

    /// <param name="configuration">Who logs in where: org, VDC and credentials.</param>
    /// <param name="options">The endpoint, the preferred API version and each request's deadline.</param>
    public VCloudConnection(HttpClient http, VCloudConfiguration configuration, VCloudClientOptions options, VCloudSessionCache cache, TimeProvider timeProvider, ILogger logger)
    {
        _http = http;
        _configuration = configuration;
        _options = options;
        _cache = cache;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>The session in use (logging in or loading the cache first).</summary>
    public async Task<VCloudSession> SessionAsync(CancellationToken cancellationToken)
    {
        if (_session is not null)
        {
            return _session;
        }

        _session = await _cache.LoadAsync(cancellationToken);
        if (_session is not null)
        {
            LogSessionReused(_logger, _session.ApiVersion);
            return _session;
        }

        _session = await LoginAsync(cancellationToken);
        await _cache.SaveAsync(_session, cancellationToken);
        return _session;
    }

    /// <summary>
    /// Sends one request and returns the response's root element, or null for an empty body.
    /// </summary>
    /// <param name="uuidVersion">Ask with the session's UUID-capable version (≥ 36) instead of the negotiated one.</param>
    public async Task<XElement?> SendAsync(HttpMethod method, Uri uri, XElement? body, string? contentType, bool uuidVersion, CancellationToken cancellationToken)
    {
        var session = await SessionAsync(cancellationToken);
        try
        {
            return await SendOnceAsync(session, method, uri, body, contentType, uuidVersion, cancellationToken);
        }
        catch (CloudRequestException e) when (e.Status == (int)HttpStatusCode.Unauthorized)
        {
            // The cached token expired (or the server restarted): log in once more, then give up.
            LogSessionExpired(_logger);
            _cache.Forget();
            _session = await LoginAsync(cancellationToken);
            await _cache.SaveAsync(_session, cancellationToken);
            return await SendOnceAsync(_session, method, uri, body, contentType, uuidVersion, cancellationToken);
        }
    }

    public Task<XElement?> GetAsync(Uri uri, CancellationToken cancellationToken, bool uuidVersion = false) =>
        SendAsync(HttpMethod.Get, uri, null, null, uuidVersion, cancellationToken);

    /// <summary>A URI under the API root, for the query service and the fixed entry points.</summary>
    public Uri ApiUri(string pathAndQuery) => new(_options.Endpoint, pathAndQuery);

    private async Task<XElement?> SendOnceAsync(VCloudSession session, HttpMethod method, Uri uri, XElement? body, string? contentType, bool uuidVersion, CancellationToken cancellationToken)
    {
        var version = uuidVersion && session.UuidApiVersion is { } v ? v : session.ApiVersion;
        using var request = new HttpRequestMessage(method, uri);
        request.Headers.TryAddWithoutValidation("Accept", $"application/*+xml;version={version}");
        if (session.IsBearer)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session.Token);
        }
        else
        {
            request.Headers.TryAddWithoutValidation(LegacyTokenHeader, session.Token);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body.ToString(SaveOptions.DisableFormatting), Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType ?? "application/xml") { CharSet = "utf-8" };
        }

        using var response = await SendLoggedAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw ErrorFrom(method, uri, response.StatusCode, text, RequestIds(response));
        }

        return string.IsNullOrWhiteSpace(text) ? null : Parse(text, uri);
    }

    private async Task<VCloudSession> LoginAsync(CancellationToken cancellationToken)
    {
        var (version, uuidVersion) = await NegotiateVersionAsync(cancellationToken);
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_configuration.Username}@{_configuration.Org}:{_configuration.Password.Reveal()}"));
        string token;
        bool isBearer;
        XElement sessionXml;
        if (version >= VCloudApiVersion.SizeInMegabytes)
        {
            // CloudAPI login (API ≥ 33): a bearer token; the XML Session comes from GET /api/session.
            var path = string.Equals(_configuration.Org, "system", StringComparison.OrdinalIgnoreCase) ? "cloudapi/1.0.0/sessions/provider" : "cloudapi/1.0.0/sessions";
            using var login = new HttpRequestMessage(HttpMethod.Post, ApiUri(path));
            login.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic);
            login.Headers.TryAddWithoutValidation("Accept", $"application/json;version={version}");
            var (headers, _) = await SendForTextAsync(login, LoginError, cancellationToken);
            token = headers.TryGetValues(BearerTokenHeader, out var values) ? values.First() : throw new VCloudProtocolException($"the CloudAPI login answered without a {BearerTokenHeader} header");
            isBearer = true;
            using var session = new HttpRequestMessage(HttpMethod.Get, ApiUri("api/session"));
            session.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            session.Headers.TryAddWithoutValidation("Accept", $"application/*+xml;version={version}");
            var (_, sessionText) = await SendForTextAsync(session, (status, text, ids) => ErrorFrom(HttpMethod.Get, session.RequestUri!, status, text, ids), cancellationToken);
            sessionXml = Parse(sessionText, session.RequestUri!);
        }
        else
        {
            using var login = new HttpRequestMessage(HttpMethod.Post, ApiUri("api/sessions"));
            login.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic);
            login.Headers.TryAddWithoutValidation("Accept", $"application/*+xml;version={version}");
            var (headers, text) = await SendForTextAsync(login, LoginError, cancellationToken);
            token = headers.TryGetValues(LegacyTokenHeader, out var values) ? values.First() : throw new VCloudProtocolException($"the login answered without an {LegacyTokenHeader} header");
            isBearer = false;
            sessionXml = Parse(text, login.RequestUri!);
        }

        var orgHref = VCloudXml.FindLink(sessionXml, VCloudXml.RelDown, VCloudXml.OrgMediaType)
            ?? throw new VCloudProtocolException("the Session names no organisation (no Link of type " + VCloudXml.OrgMediaType + ")");
        var provisional = new VCloudSession(token, isBearer, version.ToString(), uuidVersion?.ToString(), orgHref, orgHref);
        var org = await SendOnceAsync(provisional, HttpMethod.Get, orgHref, null, null, false, cancellationToken)
            ?? throw new VCloudProtocolException("the organisation answered with an empty body");
        var vdcHref = VCloudXml.FindNamedLink(org, VCloudXml.RelDown, VCloudXml.VdcMediaType, _configuration.Vdc)
            ?? throw new CloudRequestException(
                CloudService.VCloud,
                "GET " + orgHref.AbsolutePath,
                (int)HttpStatusCode.NotFound,
                null,
                CloudRequestIds.None,
                $"organisation '{_configuration.Org}' has no VDC named '{_configuration.Vdc}' that user '{_configuration.Username}' can see; check vcloud.vdc in the configuration.");
        var versionText = version.ToString();
        LogLoggedIn(_logger, _configuration.Username, _configuration.Org, versionText, isBearer ? "CloudAPI bearer" : "legacy");
        return provisional with { VdcHref = vdcHref };
    }

    /// <summary>
    /// Picks the configured api_version when the server supports it, else the newest version both
    /// sides know; also the newest supported version ≥ 36, which is asked for when reading a disk's
    /// UUID (vCD serves each request in the version its Accept header names).
    /// </summary>
    private async Task<(VCloudApiVersion Version, VCloudApiVersion? UuidVersion)> NegotiateVersionAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, ApiUri("api/versions"));
        request.Headers.TryAddWithoutValidation("Accept", "application/*+xml");
        var (_, text) = await SendForTextAsync(request, (status, body, ids) => ErrorFrom(HttpMethod.Get, request.RequestUri!, status, body, ids), cancellationToken);

        var listed = Parse(text, request.RequestUri!)
            .Elements(VCloudXml.Versions + "VersionInfo")
            .Select(info => (
                Version: VCloudApiVersion.TryParse((string?)info.Element(VCloudXml.Versions + "Version"), out var v) ? v : (VCloudApiVersion?)null,
                Deprecated: string.Equals((string?)info.Attribute("deprecated"), "true", StringComparison.OrdinalIgnoreCase)))
            .Where(entry => entry.Version is { } v && v <= VCloudApiVersion.NewestKnown)
            .Select(entry => (Version: entry.Version!.Value, entry.Deprecated))
            .OrderBy(entry => entry.Version)
            .ToList();
        var supported = listed.Where(entry => !entry.Deprecated).Select(entry => entry.Version).ToList();
        if (supported.Count == 0)
        {
            throw new VCloudProtocolException($"the server lists no supported API version up to {VCloudApiVersion.NewestKnown}");
        }

        var chosen = supported[^1];
        if (VCloudApiVersion.TryParse(_options.PreferredApiVersion, out var preferred))
        {
            // A deprecated version still works: the operator asked for it (the Python driver's
            // files say 27.0 or 32.0), so it is used, with a warning.
            var entry = listed.FirstOrDefault(e => e.Version == preferred);
            if (entry.Version == preferred)
            {
                chosen = preferred;
                if (entry.Deprecated)
                {
                    LogPreferredDeprecated(_logger, preferred.ToString());
                }
            }
            else
            {
                LogPreferredUnsupported(_logger, preferred.ToString(), chosen.ToString());
            }
        }

        VCloudApiVersion? uuid = supported[^1] >= VCloudApiVersion.DiskUuid ? supported[^1] : null;
        return (chosen, chosen >= VCloudApiVersion.DiskUuid ? chosen : uuid);
    }

    /// <summary>Sends a request of the login sequence and returns its headers and body, or throws what <paramref name="error"/> makes of a refusal.</summary>
    private async Task<(HttpResponseHeaders Headers, string Body)> SendForTextAsync(HttpRequestMessage request, Func<HttpStatusCode, string, CloudRequestIds, Exception> error, CancellationToken cancellationToken)
    {
        using var response = await SendLoggedAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return response.IsSuccessStatusCode ? (response.Headers, text) : throw error(response.StatusCode, text, RequestIds(response));
    }

    /// <summary>
    /// Sends one request under its own <see cref="VCloudClientOptions.RequestTimeout"/> on the injected clock; a request
    /// that runs past it is a Failure naming it, not a cancellation. The whole body is read within
    /// the deadline (HttpClient buffers it before SendAsync returns).
    /// </summary>
    private async Task<HttpResponseMessage> SendLoggedAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        var operation = $"{request.Method} {request.RequestUri!.AbsolutePath}";
        using var deadline = Deadline.Start("the vCloud request " + operation, _options.RequestTimeout, _timeProvider, cancellationToken);
        var silence = $"vCloud Director at {_options.Endpoint.GetLeftPart(UriPartial.Authority)} did not answer; check that it is healthy, and kubelet's retry will try again";
        HttpResponseMessage response;
        try
        {
            try
            {
                response = await deadline.RunAsync(token => _http.SendAsync(request, token), silence);
            }
            catch (TaskCanceledException e) when (e.InnerException is TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                // HttpClient's own Timeout, when a caller gave it one shorter than ours.
                throw new DeadlineExceededException(deadline.Operation, _http.Timeout, silence, e);
            }
        }
        catch (DeadlineExceededException e)
        {
            LogRequestFailed(_logger, request.Method.Method, request.RequestUri!.AbsolutePath, _timeProvider.GetElapsedTime(started).TotalMilliseconds, e.Message);
            throw;
        }
        catch (HttpRequestException e)
        {
            LogRequestFailed(_logger, request.Method.Method, request.RequestUri!.AbsolutePath, _timeProvider.GetElapsedTime(started).TotalMilliseconds, e.Message);
            throw new CloudRequestException(
                CloudService.VCloud,
                operation,
                0,
                null,
                CloudRequestIds.None,
                $"cannot reach vCloud Director at {_options.Endpoint.GetLeftPart(UriPartial.Authority)} ({request.Method} {request.RequestUri!.AbsolutePath}): {e.Message}. Check vcloud.host, the network and, with verify_ssl_certs, the server's certificate.");
        }

        var requestId = RequestIds(response).RequestId ?? "-";
        var elapsedMs = _timeProvider.GetElapsedTime(started).TotalMilliseconds;
        LogRequest(_logger, request.Method.Method, request.RequestUri!.AbsolutePath, (int)response.StatusCode, elapsedMs, requestId);
        return response;
    }

    private static CloudRequestIds RequestIds(HttpResponseMessage response) =>
        CloudRequestIds.From(CloudService.VCloud, name => response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null);

    private static XElement Parse(string text, Uri uri)
    {
        try
        {
            return XElement.Parse(text);
        }
        catch (XmlException e)
        {
            throw new VCloudProtocolException($"{uri.AbsolutePath} answered with a body that is not XML", e);
        }
    }

    private Exception LoginError(HttpStatusCode status, string body, CloudRequestIds ids) => status == HttpStatusCode.Unauthorized
        ? new CloudRequestException(CloudService.VCloud, "POST " + ApiUri("api/sessions").AbsolutePath, (int)status, null, ids, $"vCloud Director refused the login of '{_configuration.Username}@{_configuration.Org}' (401): check vcloud.username, vcloud.password and vcloud.org in the configuration.")
        : ErrorFrom(HttpMethod.Post, ApiUri("api/sessions"), status, body, ids);

    /// <summary>vCD's <c>&lt;Error message majorErrorCode minorErrorCode/&gt;</c>, or the status alone.</summary>
    internal static CloudRequestException ErrorFrom(HttpMethod method, Uri uri, HttpStatusCode status, string body, CloudRequestIds ids)
    {
        string? minor = null;
        string? message = null;
        try
        {
            var error = XElement.Parse(body);
            if (error.Name.LocalName == "Error")
            {
                minor = (string?)error.Attribute("minorErrorCode");
                message = (string?)error.Attribute("message");
            }
        }
        catch (XmlException)
        {
            // Not an Error document (a proxy's HTML page, say): the status is all there is.
        }

        var detail = message is null ? string.Empty : $": {message}";
        var code = minor is null ? string.Empty : $" {minor}";
        return new CloudRequestException(CloudService.VCloud, $"{method} {uri.AbsolutePath}", (int)status, minor, ids, $"vCloud Director answered {(int)status}{code} to {method} {uri.AbsolutePath}{detail}");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "vCloud {Method} {Path} -> {Status} in {DurationMs:0} ms (request id {RequestId})")]
    private static partial void LogRequest(ILogger logger, string method, string path, int status, double durationMs, string requestId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "vCloud {Method} {Path} failed after {DurationMs:0} ms: {Reason}")]
    private static partial void LogRequestFailed(ILogger logger, string method, string path, double durationMs, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Logged in to vCloud Director as {User}@{Org} with API {Version} ({TokenKind} token)")]
    private static partial void LogLoggedIn(ILogger logger, string user, string org, string version, string tokenKind);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reusing the cached vCloud session (API {Version})")]
    private static partial void LogSessionReused(ILogger logger, string version);

    [LoggerMessage(Level = LogLevel.Information, Message = "The vCloud session expired (401); logging in again")]
    private static partial void LogSessionExpired(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "vcloud.api_version {Preferred} is deprecated by the server; it still works, but a newer version should be configured")]
    private static partial void LogPreferredDeprecated(ILogger logger, string preferred);

    [LoggerMessage(Level = LogLevel.Warning, Message = "vcloud.api_version {Preferred} is not supported by the server; using {Chosen}")]
    private static partial void LogPreferredUnsupported(ILogger logger, string preferred, string chosen);
}
