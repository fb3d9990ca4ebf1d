using System.Globalization;
using Microsoft.Extensions.Logging;
using VolumeDriver.CloudCalls;
using VolumeDriver.Kubernetes;
using VolumeDriver.Kubernetes.Models;

namespace VolumeDriver.Provisioning;

/// <summary>
/// Writes core/v1 Events, the kind <c>kubectl describe</c> lists: named
/// <c>&lt;object name&gt;.&lt;unix nanoseconds in hex&gt;</c> as client-go's recorder names them, in the
/// object's namespace (a PV's events in default, as the API requires for a cluster-scoped object),
/// with source.component and reportingComponent the driver's name and reportingInstance this
/// replica. An event that cannot be written is logged and dropped: it never stops the work it tells of.
/// </summary>
internal sealed partial class EventRecorder
{
    /// <summary>Longer messages are cut, as events.k8s.io/v1 limits a note to 1 kB.</summary>
    public const int MaxMessageLength = 1024;

    private readonly KubernetesApiClient _client;
    private readonly string _component;
    private readonly string _instance;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private long _lastNanoseconds;

    public EventRecorder(KubernetesApiClient client, string component, string instance, TimeProvider timeProvider, ILogger logger)
    {
        _client = client;
        _component = component;
        _instance = instance;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public async Task RecordAsync(ObjectReference involved, string type, string reason, string message, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        var nanoseconds = UniqueNanoseconds(now);
        var text = message.Length > MaxMessageLength ? message[..(MaxMessageLength - 3)] + "..." : message;
        var value = new Event
        {
            ApiVersion = "v1",
            Kind = "Event",
            Metadata = new ObjectMeta
            {
                Name = involved.Name + "." + nanoseconds.ToString("x", CultureInfo.InvariantCulture),
                Namespace = string.IsNullOrEmpty(involved.Namespace) ? "default" : involved.Namespace,
            },
            InvolvedObject = involved,
            Reason = reason,
            Message = text,
            Type = type,
            Source = new EventSource { Component = _component },
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
            ReportingComponent = _component,
            ReportingInstance = _instance,
        };

        try
        {
            await _client.CreateAsync(KubernetesResources.Events, value, cancellationToken);
            var described = DescribeObject(involved);
            LogRecorded(_logger, type, reason, involved.Kind ?? "", described, text);
        }
        catch (CloudRequestException e)
        {
            var described = DescribeObject(involved);
            LogNotRecorded(_logger, reason, described, e.Message);
        }
    }

    /// <summary>
    /// The time in Unix nanoseconds, made larger than any this recorder used before: two events in one
    /// clock tick (the clock counts in 100 ns) would otherwise get one name, and the second would be refused.
    /// </summary>
    private long UniqueNanoseconds(DateTimeOffset now)
    {
        var wanted = (now - DateTimeOffset.UnixEpoch).Ticks * 100;
        while (true)
        {
            var last = Interlocked.Read(ref _lastNanoseconds);
            var next = Math.Max(wanted, last + 1);
            if (Interlocked.CompareExchange(ref _lastNanoseconds, next, last) == last)
            {
                return next;
            }
        }
    }

    private static string DescribeObject(ObjectReference involved) =>
        string.IsNullOrEmpty(involved.Namespace) ? involved.Name ?? "" : involved.Namespace + "/" + involved.Name;

    [LoggerMessage(Level = LogLevel.Information, Message = "Event {Type} {Reason} on {Kind} {Object}: {Message}")]
    private static partial void LogRecorded(ILogger logger, string type, string reason, string kind, string @object, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record event {Reason} on {Object}: {Problem}")]
    private static partial void LogNotRecorded(ILogger logger, string reason, string @object, string problem);
}
