using System.Diagnostics;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Logging;

namespace VolumeDriver.Backends.Azure;

/// <summary>
/// One log line per ARM or token request in the driver's own log: method, path (never the query or a
/// body, where a secret could be), status, duration and ARM's request id, the id Azure support asks
/// for. Azure.Core's own logging goes to EventSource, which an operator at 3 a.m. does not have.
/// </summary>
internal sealed partial class ArmRequestLogPolicy : HttpPipelinePolicy
{
    private readonly ILogger _logger;

    public ArmRequestLogPolicy(ILogger logger)
    {
        _logger = logger;
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await ProcessNextAsync(message, pipeline);
        }
        finally
        {
            Log(message, started);
        }
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            ProcessNext(message, pipeline);
        }
        finally
        {
            Log(message, started);
        }
    }

    private void Log(HttpMessage message, long started)
    {
        var elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var status = message.HasResponse ? message.Response.Status : 0;
        var requestId = message.HasResponse && message.Response.Headers.TryGetValue("x-ms-request-id", out var id) ? id : "-";
        var method = message.Request.Method.Method;
        var path = message.Request.Uri.Path;
        LogRequest(_logger, method, path, status, elapsedMs, requestId ?? "-");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Azure {Method} {Path} -> {Status} in {DurationMs:0} ms (request id {RequestId})")]
    private static partial void LogRequest(ILogger logger, string method, string path, int status, double durationMs, string requestId);
}
