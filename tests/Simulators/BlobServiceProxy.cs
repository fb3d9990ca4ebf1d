using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;

namespace Simulators;

/// <summary>
/// A pass-through in front of a Blob service (Azurite): it forwards every request unchanged (Shared
/// Key signs the account and path, not the host, so signatures still verify), counts it, and adds
/// <see cref="Latency"/> as a distant storage endpoint would. With <see cref="AzureStackBlobLimits"/>
/// it refuses first what an Azure Stack Hub stamp refuses and Azurite accepts.
/// </summary>
public sealed class BlobServiceProxy : IAsyncDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase) { "Host", "Transfer-Encoding", "Connection", "Content-Length", "Content-Type" };

    private readonly SimulatorHost _host;
    private readonly Uri _target;
    private readonly HttpClient _client = new();

    private readonly AzureStackBlobLimits? _limits;

    private BlobServiceProxy(SimulatorHost host, Uri target, AzureStackBlobLimits? limits)
    {
        _host = host;
        _target = target;
        _limits = limits;
    }

    /// <summary>The proxy's endpoint template, {account} standing for the account (path style, as Azurite's).</summary>
    public string EndpointTemplate => new Uri(_host.HttpUri!, "{account}/").ToString().Replace("%7Baccount%7D", "{account}", StringComparison.Ordinal);

    public RequestCounter Requests { get; } = new();

    /// <summary>Every x-ms-version the requests carried.</summary>
    public IReadOnlyCollection<string> ServiceVersions => _versions.Keys.ToList();

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _versions = new(StringComparer.Ordinal);

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _pageBlobCreates = new();

    /// <summary>
    /// The path (/account/container/blob) of every page blob the service created (201), in the order
    /// the creates were answered. A refused create (409 BlobAlreadyExists, 412) made nothing.
    /// </summary>
    public IReadOnlyList<string> PageBlobCreates => [.. _pageBlobCreates];

    /// <summary>Every page-blob create request with the status it was answered with, in the order they were answered.</summary>
    public IReadOnlyList<(string Path, int Status)> PageBlobCreateAttempts => [.. _pageBlobCreateAttempts];

    private readonly System.Collections.Concurrent.ConcurrentQueue<(string Path, int Status)> _pageBlobCreateAttempts = new();

    public TimeSpan Latency { get; set; }

    private readonly List<Fault> _faults = [];

    private readonly System.Collections.Concurrent.ConcurrentQueue<(string Method, string Host, string Path, int Status)> _received = new();

    /// <summary>Every request in the order it was answered: its method, the host it was sent to, its path, and the status answered (0 for a dropped connection, whether or not the service carried the request out).</summary>
    public IReadOnlyList<(string Method, string Host, string Path, int Status)> Received => [.. _received];

    /// <summary>
    /// Answers the next <paramref name="count"/> requests with <paramref name="method"/> whose path ends
    /// with <paramref name="pathSuffix"/> (and, when <paramref name="host"/> is given, that were sent to
    /// that host name) with <paramref name="answer"/> instead of forwarding them, as a busy or failing
    /// storage front end does.
    /// </summary>
    public void FailNext(string method, string pathSuffix, int count, BlobRefusal answer, string? host = null)
    {
        lock (_faults)
        {
            _faults.Add(new Fault(method, pathSuffix, host, answer, count));
        }
    }

    /// <summary>Drops the connection of the next <paramref name="count"/> such requests without an answer, as a reset network path does.</summary>
    public void ResetNext(string method, string pathSuffix, int count)
    {
        lock (_faults)
        {
            _faults.Add(new Fault(method, pathSuffix, null, null, count));
        }
    }

    /// <summary>
    /// Forwards the next <paramref name="count"/> such requests, so the service carries them out, then
    /// drops the connection instead of answering: the client never learns that they succeeded.
    /// </summary>
    public void LoseAnswerOfNext(string method, string pathSuffix, int count)
    {
        lock (_faults)
        {
            _faults.Add(new Fault(method, pathSuffix, null, null, count) { AfterForwarding = true });
        }
    }

    /// <param name="target">The Blob service's root, such as http://127.0.0.1:10000/.</param>
    /// <param name="limits">A stamp's limits to enforce before forwarding, or null to forward everything.</param>
    public static async Task<BlobServiceProxy> StartAsync(Uri target, string stateDirectory, AzureStackBlobLimits? limits = null)
    {
        var host = await SimulatorHost.StartAsync(stateDirectory, 0, withPlainHttp: true);
        var proxy = new BlobServiceProxy(host, target, limits);
        host.Serve(proxy.ForwardAsync);
        return proxy;
    }

    private async Task ForwardAsync(HttpContext context)
    {
        var request = context.Request;
        Requests.Count(request.Method, request.Path.Value ?? "/");
        _versions.TryAdd(request.Headers["x-ms-version"].ToString(), true);
        var isPageBlobCreate = request.Method == "PUT" && !request.QueryString.HasValue && request.Headers["x-ms-blob-type"].ToString() == "PageBlob";
        if (Latency > TimeSpan.Zero)
        {
            await Task.Delay(Latency);
        }

        var fault = TakeFault(request);
        if (fault is { AfterForwarding: false })
        {
            _received.Enqueue((request.Method, request.Host.Host, request.Path.Value ?? "/", fault.Answer?.Status ?? 0));
            if (fault.Answer is null)
            {
                context.Abort();
                return;
            }

            await fault.Answer.WriteAsync(context);
            return;
        }

        if (_limits?.Refusal(request) is { } refusal)
        {
            _received.Enqueue((request.Method, request.Host.Host, request.Path.Value ?? "/", refusal.Status));
            await refusal.WriteAsync(context);
            return;
        }

        using var forward = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(_target, (request.Path.Value ?? "/").TrimStart('/') + request.QueryString.Value));
        var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        body.Position = 0;
        forward.Content = new StreamContent(body);
        if (request.ContentType is { } contentType)
        {
            forward.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        foreach (var (name, values) in request.Headers)
        {
            if (!HopByHop.Contains(name))
            {
                forward.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }

        using var response = await _client.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead);
        if (isPageBlobCreate)
        {
            _pageBlobCreateAttempts.Enqueue((request.Path.Value ?? "/", (int)response.StatusCode));
            if (response.StatusCode == System.Net.HttpStatusCode.Created)
            {
                _pageBlobCreates.Enqueue(request.Path.Value ?? "/");
            }
        }

        _received.Enqueue((request.Method, request.Host.Host, request.Path.Value ?? "/", fault is null ? (int)response.StatusCode : 0));
        if (fault is not null)
        {
            context.Abort();
            return;
        }

        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        await response.Content.CopyToAsync(context.Response.Body);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    private Fault? TakeFault(HttpRequest request)
    {
        lock (_faults)
        {
            var path = request.Path.Value ?? "/";
            var fault = _faults.FirstOrDefault(f => f.Remaining > 0
                && f.Method == request.Method
                && path.EndsWith(f.PathSuffix, StringComparison.Ordinal)
                && (f.Host is null || string.Equals(f.Host, request.Host.Host, StringComparison.OrdinalIgnoreCase)));
            if (fault is not null)
            {
                fault.Remaining--;
            }

            return fault;
        }
    }

    /// <summary>An injected failure: an answer, or (null) a dropped connection, for the next <see cref="Remaining"/> matching requests.</summary>
    private sealed class Fault(string method, string pathSuffix, string? host, BlobRefusal? answer, int remaining)
    {
        public string Method { get; } = method;

        public string PathSuffix { get; } = pathSuffix;

        public string? Host { get; } = host;

        public BlobRefusal? Answer { get; } = answer;

        public int Remaining { get; set; } = remaining;

        /// <summary>The request reaches the service first; only its answer is lost.</summary>
        public bool AfterForwarding { get; init; }
    }
}

/// <summary>
/// What an Azure Stack Hub stamp's Blob service refuses that Azurite accepts. A request whose
/// x-ms-version is newer than the stamp's newest gets 400 InvalidHeaderValue naming the header, as a
/// stamp answered Azure.Storage.Blobs' default version in azure-sdk-for-net#12557. A page blob
/// larger than the stamp's page-blob maximum (1 TiB, "Azure Stack Hub storage: Differences and
/// considerations") gets the answer Azure gives a page-blob size it does not accept: 400
/// InvalidHeaderValue naming x-ms-blob-content-length.
/// </summary>
/// <param name="NewestServiceVersion">The newest x-ms-version the stamp serves (2019-07-07 from update 2008).</param>
/// <param name="MaxPageBlobBytes">The largest page blob the stamp creates.</param>
public sealed record AzureStackBlobLimits(string NewestServiceVersion = "2019-07-07", long MaxPageBlobBytes = 1L << 40)
{
    /// <summary>The refusal a stamp answers <paramref name="request"/> with, or null when it serves it.</summary>
    public BlobRefusal? Refusal(HttpRequest request)
    {
        var version = request.Headers["x-ms-version"].ToString();
        if (version.Length > 0 && string.CompareOrdinal(version, NewestServiceVersion) > 0)
        {
            return BlobRefusal.InvalidHeader("x-ms-version", version);
        }

        var length = request.Headers["x-ms-blob-content-length"].ToString();
        if (request.Headers["x-ms-blob-type"].ToString() == "PageBlob"
            && long.TryParse(length, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var bytes)
            && bytes > MaxPageBlobBytes)
        {
            return BlobRefusal.InvalidHeader("x-ms-blob-content-length", length);
        }

        return null;
    }
}

/// <summary>
/// A Blob service error answer: status, x-ms-error-code, and the XML body the service sends, whose
/// message ends in the answer's own request id (the x-ms-request-id header's) and time, new for each
/// answer as the service's are; <paramref name="Details"/> is any element after Message (HeaderName...).
/// </summary>
public sealed record BlobRefusal(int Status, string Code, string Message, string Details = "")
{
    /// <summary>A Retry-After header in seconds, when the answer carries one.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>503 ServerBusy: the account's scalability targets are exceeded, or the partition server is busy ("Common REST API error codes"; the message is one of its several).</summary>
    public static BlobRefusal ServerBusy() => Error(503, "ServerBusy", "The server is currently unable to receive requests. Please retry your request.");

    /// <summary>500 InternalError ("Common REST API error codes").</summary>
    public static BlobRefusal InternalError() => Error(500, "InternalError", "The server encountered an internal error. Please retry the request.");

    /// <summary>500 OperationTimedOut ("Common REST API error codes").</summary>
    public static BlobRefusal OperationTimedOut() => Error(500, "OperationTimedOut", "The operation could not be completed within the permitted time.");

    /// <summary>403 AuthenticationFailed ("Common REST API error codes"): a signature the service does not accept.</summary>
    public static BlobRefusal AuthenticationFailed() => Error(403, "AuthenticationFailed", "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.");

    /// <summary>404 BlobNotFound ("Blob service error codes"), as the secondary of an RA-GRS account answers for a blob not replicated yet.</summary>
    public static BlobRefusal BlobNotFound() => Error(404, "BlobNotFound", "The specified blob does not exist.");

    private static BlobRefusal Error(int status, string code, string message) => new(status, code, message);

    public static BlobRefusal InvalidHeader(string header, string value) => new(
        400,
        "InvalidHeaderValue",
        "The value for one of the HTTP headers is not in the correct format.",
        $"<HeaderName>{header}</HeaderName><HeaderValue>{System.Security.SecurityElement.Escape(value)}</HeaderValue>");

    public async Task WriteAsync(HttpContext context)
    {
        var requestId = Guid.NewGuid().ToString();
        context.Response.StatusCode = Status;
        context.Response.Headers["x-ms-error-code"] = Code;
        context.Response.Headers["x-ms-request-id"] = requestId;
        context.Response.Headers["x-ms-version"] = context.Request.Headers["x-ms-version"];
        if (RetryAfterSeconds is { } seconds)
        {
            context.Response.Headers["Retry-After"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (!HttpMethods.IsHead(context.Request.Method))
        {
            // An answer to HEAD has no body and no Content-Type, as Azurite's: the code is in x-ms-error-code alone.
            context.Response.ContentType = "application/xml";
            await context.Response.WriteAsync(
                $"<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>{Code}</Code><Message>{Message}\nRequestId:{requestId}\nTime:{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ss.fffffffZ}</Message>{Details}</Error>");
        }
    }
}
