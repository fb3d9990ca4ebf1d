using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using VolumeDriver.CloudCalls;
using VolumeDriver.Kubernetes.Models;

namespace VolumeDriver.Kubernetes;

/// <summary>Watch: a streaming GET, one JSON event per line.</summary>
internal sealed partial class KubernetesApiClient
{
    /// <summary>
    /// The changes after <see cref="KubernetesWatchOptions.ResourceVersion"/>, as they happen, until the
    /// server ends the stream (its timeoutSeconds, or a restart) or the connection drops: both end the
    /// enumeration normally, and the caller watches again from the last event's resourceVersion.
    /// An ERROR event is thrown as a <see cref="CloudRequestException"/> carrying its Status: a 410
    /// (<see cref="KubernetesErrors.IsGone"/>) means the version is too old, so list again and watch
    /// from the list's version. Opening the stream is retried like any read.
    /// </summary>
    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync<T>(KubernetesResourceType<T> type, string? ns, KubernetesWatchOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : KubernetesObject
    {
        options ??= new KubernetesWatchOptions();
        var timeout = options.Timeout ?? _options.WatchTimeout;
        var path = type.CollectionPath(ns) + new QueryBuilder()
            .Add("watch", "true")
            .Add("resourceVersion", options.ResourceVersion)
            .Add("allowWatchBookmarks", options.AllowBookmarks ? "true" : null)
            .Add("timeoutSeconds", ((long)Math.Ceiling(timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture))
            .Add("labelSelector", options.LabelSelector)
            .Add("fieldSelector", options.FieldSelector);
        var operation = $"WATCH {type.CollectionPath(ns)}";

        // The stream's own deadline, past the server's timeout: a connection that died without a
        // reset would otherwise leave the read waiting for ever.
        using var deadline = Deadline.Start($"the Kubernetes watch {operation}", timeout + _options.RequestTimeout, _timeProvider, cancellationToken);
        using var response = await OpenWatchAsync(path, operation, deadline);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(deadline.Token), Encoding.UTF8);
        var auditId = AuditId(response);
        while (await ReadLineAsync(reader, operation, deadline) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            yield return Parse(type, line, operation, auditId);
        }
    }

    private async Task<HttpResponseMessage> OpenWatchAsync(string path, string operation, Deadline deadline) =>
        await _retry.RunAsync(
            _schedule,
            null,
            async token =>
            {
                try
                {
                    var response = await SendRawAsync(HttpMethod.Get, path, null, null, HttpCompletionOption.ResponseHeadersRead, operation, deadline);
                    if (response.IsSuccessStatusCode)
                    {
                        return response;
                    }

                    using (response)
                    {
                        var text = await response.Content.ReadAsStringAsync(token);
                        throw Refusal(new KubernetesResponse(operation, response.StatusCode, text, AuditId(response)), response.Headers);
                    }
                }
                catch (Exception e) when (deadline.Caused(e))
                {
                    throw Failure(operation, 0, "Timeout", null, $"The Kubernetes API server at {Connection.Server} did not open the watch {operation} in time", e);
                }
            },
            attempt => attempt.Exception is CloudRequestException e && IsWorthRetrying(e, HttpMethod.Get),
            null,
            (attempt, delay) => LogRetry(_logger, operation, attempt.Exception!.Message, delay.TotalMilliseconds),
            deadline.Token);

    /// <summary>The next line, or null when the stream ended: the server closed it, the connection broke, or the stream's deadline passed.</summary>
    private async Task<string?> ReadLineAsync(StreamReader reader, string operation, Deadline deadline)
    {
        try
        {
            return await reader.ReadLineAsync(deadline.Token);
        }
        catch (Exception e) when (deadline.Caused(e) || e is IOException)
        {
            LogWatchEnded(_logger, operation, e.Message);
            return null;
        }
    }

    private WatchEvent<T> Parse<T>(KubernetesResourceType<T> type, string line, string operation, string? auditId)
        where T : KubernetesObject
    {
        try
        {
            var wire = JsonSerializer.Deserialize(line, KubernetesJsonContext.Default.WatchEventLine);
            var eventType = wire?.Type switch
            {
                "ADDED" => WatchEventType.Added,
                "MODIFIED" => WatchEventType.Modified,
                "DELETED" => WatchEventType.Deleted,
                "BOOKMARK" => WatchEventType.Bookmark,
                "ERROR" => throw FromStatus(operation, 0, wire.Object.Deserialize(KubernetesJsonContext.Default.Status), auditId, null),
                var other => throw Failure(operation, 200, null, auditId, $"The Kubernetes API server sent a watch event of unknown type '{other}' on {operation}"),
            };
            var value = wire.Object.Deserialize(type.ObjectType)
                ?? throw Failure(operation, 200, null, auditId, $"The Kubernetes API server sent a {wire.Type} watch event without an object on {operation}");
            return new WatchEvent<T>(eventType, value);
        }
        catch (JsonException e)
        {
            throw Failure(operation, 200, null, auditId, $"The Kubernetes API server sent a watch line on {operation} that is not a watch event: {e.Message}", e);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Kubernetes {Operation} ended ({Reason})")]
    private static partial void LogWatchEnded(ILogger logger, string operation, string reason);
}
