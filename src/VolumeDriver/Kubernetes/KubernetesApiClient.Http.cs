using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using VolumeDriver.CloudCalls;
using VolumeDriver.Kubernetes.Models;

namespace VolumeDriver.Kubernetes;

/// <summary>The HTTP exchange: credentials, deadlines, retries, and turning a refusal into a <see cref="CloudRequestException"/>.</summary>
internal sealed partial class KubernetesApiClient
{
    /// <summary>
    /// One call with its retries; each attempt has its own deadline of <see cref="KubernetesApiClientOptions.RequestTimeout"/>.
    /// The answer is a 2xx, or a 404 when <paramref name="notFoundIsAnswer"/>.
    /// </summary>
    private Task<KubernetesResponse> SendAsync(HttpMethod method, string path, byte[]? body, string? contentType, bool notFoundIsAnswer, CancellationToken cancellationToken)
    {
        var operation = $"{method.Method} {path.Split('?')[0]}";
        return _retry.RunAsync(
            _schedule,
            null,
            async token =>
            {
                using var deadline = Deadline.Start($"the Kubernetes request {operation}", _options.RequestTimeout, _timeProvider, token);
                try
                {
                    using var response = await SendRawAsync(method, path, body, contentType, HttpCompletionOption.ResponseContentRead, operation, deadline);
                    var text = await response.Content.ReadAsStringAsync(deadline.Token);
                    var answer = new KubernetesResponse(operation, response.StatusCode, text, AuditId(response));
                    return response.IsSuccessStatusCode || (notFoundIsAnswer && response.StatusCode == HttpStatusCode.NotFound)
                        ? answer
                        : throw Refusal(answer, response.Headers);
                }
                catch (Exception e) when (deadline.Caused(e))
                {
                    throw Failure(operation, 0, "Timeout", null, $"The Kubernetes API server at {Connection.Server} did not answer {operation} within {_options.RequestTimeout.TotalSeconds:0.#} s", e);
                }
            },
            attempt => attempt.Exception is CloudRequestException e && IsWorthRetrying(e, method),
            null,
            (attempt, delay) => LogRetry(_logger, operation, attempt.Exception!.Message, delay.TotalMilliseconds),
            cancellationToken);
    }

    /// <summary>
    /// Sends one request with the bearer token; a 401 reads a token file again and sends once more
    /// (the token rotated). A server that cannot be reached is a <see cref="CloudRequestException"/> with status 0.
    /// </summary>
    private async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, byte[]? body, string? contentType, HttpCompletionOption completion, string operation, Deadline deadline)
    {
        // Appended, not resolved against the base: a server URL with a path (a proxy's /k8s/clusters/x) keeps it.
        var uri = new Uri(Connection.Server.AbsoluteUri.TrimEnd('/') + path);
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, uri);
            if (body is not null)
            {
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType!);
            }

            if (Connection.Token is { } token)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await token.GetAsync(deadline.Token));
            }

            var started = _timeProvider.GetTimestamp();
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, completion, deadline.Token);
            }
            catch (HttpRequestException e)
            {
                throw Failure(operation, 0, null, null, $"Cannot reach the Kubernetes API server at {Connection.Server} ({Connection.Source}): {e.Message}", e);
            }

            var elapsed = _timeProvider.GetElapsedTime(started);
            LogCall(_logger, operation, (int)response.StatusCode, elapsed.TotalMilliseconds);
            if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 1 && Connection.Token?.File is not null)
            {
                response.Dispose();
                Connection.Token.Invalidate();
                continue;
            }

            return response;
        }
    }

    /// <summary>
    /// Whether another attempt is safe and useful: a 429 always (the server did not act); a 5xx, a
    /// timeout or a broken connection for a read, or for a write the server asked to retry or that
    /// never reached it. A write that may have been applied is not repeated: the caller reads and decides.
    /// </summary>
    private static bool IsWorthRetrying(CloudRequestException e, HttpMethod method)
    {
        if (e.Status == 429)
        {
            return true;
        }

        if (e.Status is not (0 or >= 500))
        {
            return false;
        }

        return method == HttpMethod.Get
            || e.RetryAfter is not null
            || e.InnerException is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError };
    }

    private CloudRequestException Refusal(KubernetesResponse response, HttpResponseHeaders headers)
    {
        Status? status = null;
        try
        {
            status = JsonSerializer.Deserialize(response.Body, KubernetesJsonContext.Default.Status);
        }
        catch (JsonException)
        {
            // Not a Status (a proxy's HTML page): the HTTP status alone speaks.
        }

        var retryAfter = RetryAfter.Parse(headers.TryGetValues(RetryAfter.Header, out var values) ? values.FirstOrDefault() : null, _timeProvider.GetUtcNow())
            ?? (status?.Details?.RetryAfterSeconds is > 0 and var seconds ? TimeSpan.FromSeconds(seconds) : null);
        return FromStatus(response.Operation, (int)response.Status, status, response.AuditId, retryAfter);
    }

    /// <summary>The exception for a failed Status, from an HTTP answer or a watch's ERROR event.</summary>
    private CloudRequestException FromStatus(string operation, int httpStatus, Status? status, string? auditId, TimeSpan? retryAfter)
    {
        var code = status?.Code is > 0 and var c ? c : httpStatus;
        var said = string.IsNullOrEmpty(status?.Message) ? $"HTTP {code}" : status.Message;
        var hint = code switch
        {
            401 => $"; check the credentials of {Connection.Source}",
            403 => "; the service account lacks the permission: add the verb on this resource to its ClusterRole",
            _ => string.Empty,
        };
        var reason = string.IsNullOrEmpty(status?.Reason) ? null : $", {status.Reason}";
        return Failure(operation, code, status?.Reason, auditId, $"The Kubernetes API server refused {operation}: {said} (HTTP {code}{reason}){hint}", retryAfter: retryAfter);
    }

    private static CloudRequestException Failure(string operation, int status, string? reason, string? auditId, string message, Exception? innerException = null, TimeSpan? retryAfter = null) =>
        new(CloudService.Kubernetes, operation, status, reason, new CloudRequestIds(auditId), message, innerException) { RetryAfter = retryAfter };

    private static string? AuditId(HttpResponseMessage response) =>
        response.Headers.TryGetValues(CloudRequestIds.KubernetesAuditId, out var values) ? values.FirstOrDefault() : null;

    [LoggerMessage(Level = LogLevel.Debug, Message = "Kubernetes {Operation} -> {Status} in {DurationMs:0} ms")]
    private static partial void LogCall(ILogger logger, string operation, int status, double durationMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kubernetes {Operation} failed ({Reason}); retrying in {DelayMs:0} ms")]
    private static partial void LogRetry(ILogger logger, string operation, string reason, double delayMs);

    /// <summary>An answer read whole: what was asked, the status, the body and the server's audit id.</summary>
    private sealed record KubernetesResponse(string Operation, HttpStatusCode Status, string Body, string? AuditId);
}
