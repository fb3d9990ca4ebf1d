using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using VolumeDriver.CloudCalls;
using VolumeDriver.Kubernetes.Models;

namespace VolumeDriver.Kubernetes;

/// <summary>
/// An in-memory copy of one kind's objects, kept current by list and watch, as client-go's informer
/// keeps it: list (in pages), hand every object to the handler, then watch from the list's
/// resourceVersion. A stream that ends or breaks is watched again from the last resourceVersion seen
/// (bookmarks move it on); a 410 (the version is too old) lists again and hands the differences over
/// (Added, Updated, Deleted), so nothing is missed; other failures back off on the injected clock and
/// try again. Every <see cref="KubernetesInformerOptions.ResyncPeriod"/> each cached object goes to the
/// handler again. The handler runs for one change at a time, in order; an exception it throws ends
/// <see cref="RunAsync"/> (the informer does not guess whether a change may be skipped).
/// Cancellation stops it at once.
/// </summary>
internal sealed partial class KubernetesInformer<T>
    where T : KubernetesObject
{
    private readonly KubernetesApiClient _client;
    private readonly KubernetesResourceType<T> _type;
    private readonly string? _namespace;
    private readonly KubernetesInformerOptions _options;
    private readonly Func<InformerChange<T>, CancellationToken, Task> _handler;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly RetrySchedule _backoff;
    private readonly ConcurrentDictionary<string, T> _cache = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile string? _resourceVersion;

    // True while the handler runs: an exception then is the handler's, and ends RunAsync.
    private bool _handling;

    /// <param name="ns">One namespace of a namespaced kind, or null for all (and for cluster-scoped kinds).</param>
    public KubernetesInformer(KubernetesApiClient client, KubernetesResourceType<T> type, string? ns, KubernetesInformerOptions options, Func<InformerChange<T>, CancellationToken, Task> handler, TimeProvider timeProvider, ILogger logger)
    {
        _client = client;
        _type = type;
        _namespace = ns;
        _options = options;
        _handler = handler;
        _timeProvider = timeProvider;
        _logger = logger;
        _backoff = new RetrySchedule(options.FirstRetryDelay, options.MaxRetryDelay, maxAttempts: null, maxElapsed: null);
    }

    /// <summary>Whether the first list has been handed to the handler.</summary>
    public bool HasSynced => _synced.Task.IsCompleted;

    /// <summary>The resourceVersion the next watch starts from: the last list's, event's or bookmark's.</summary>
    public string? ResourceVersion => _resourceVersion;

    /// <summary>Completes once the first list has been handed to the handler.</summary>
    public Task WaitForSyncAsync(CancellationToken cancellationToken) => _synced.Task.WaitAsync(cancellationToken);

    /// <summary>The cached object, or null.</summary>
    public T? Get(string? ns, string name) => _cache.TryGetValue(Key(ns, name), out var value) ? value : null;

    /// <summary>A snapshot of every cached object.</summary>
    public IReadOnlyList<T> List() => [.. _cache.Values];

    /// <summary>Lists, watches and hands changes over until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        var nextResync = _options.ResyncPeriod is { } first ? _timeProvider.GetUtcNow() + first : DateTimeOffset.MaxValue;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (_resourceVersion is null)
                {
                    await RelistAsync(cancellationToken);
                }

                var started = _timeProvider.GetTimestamp();
                var events = await WatchUntilAsync(nextResync, cancellationToken);

                // A stream that ends at once without an event, again and again, is not hammered: it backs
                // off like a failure. (A quiet watch that ran its time is normal: it is opened again at once.)
                var endedAtOnce = events == 0 && _timeProvider.GetElapsedTime(started) < _options.FirstRetryDelay;
                failures = endedAtOnce ? failures + 1 : 0;
                if (endedAtOnce && _timeProvider.GetUtcNow() < nextResync)
                {
                    await Task.Delay(_backoff.Backoff(failures, Random.Shared.NextDouble()), _timeProvider, cancellationToken);
                }

                if (_timeProvider.GetUtcNow() >= nextResync)
                {
                    await ResyncAsync(cancellationToken);
                    nextResync = _timeProvider.GetUtcNow() + _options.ResyncPeriod!.Value;
                }
            }
            catch (CloudRequestException e) when (!_handling && e.IsGone())
            {
                LogExpired(_logger, _type.QualifiedPlural, _resourceVersion);
                _resourceVersion = null;
            }
            catch (CloudRequestException e) when (!_handling)
            {
                failures++;
                var delay = _backoff.Backoff(failures, Random.Shared.NextDouble());
                LogFailed(_logger, _type.QualifiedPlural, e.Message, delay.TotalMilliseconds);
                await Task.Delay(delay, _timeProvider, cancellationToken);
            }
        }
    }

    /// <summary>Watches from the last resourceVersion until the stream ends or the resync is due; returns how many events came.</summary>
    private async Task<int> WatchUntilAsync(DateTimeOffset until, CancellationToken cancellationToken)
    {
        var window = until == DateTimeOffset.MaxValue ? Timeout.InfiniteTimeSpan : until - _timeProvider.GetUtcNow();
        if (window != Timeout.InfiniteTimeSpan && window <= TimeSpan.Zero)
        {
            return 1;
        }

        using var resyncDue = new CancellationTokenSource(window, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, resyncDue.Token);
        var options = new KubernetesWatchOptions { ResourceVersion = _resourceVersion, LabelSelector = _options.LabelSelector, FieldSelector = _options.FieldSelector };
        var count = 0;
        try
        {
            await foreach (var change in _client.WatchAsync(_type, _namespace, options, linked.Token))
            {
                count++;
                await ApplyAsync(change, cancellationToken);
                _resourceVersion = change.ResourceVersion ?? _resourceVersion;
            }
        }
        catch (OperationCanceledException) when (resyncDue.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // The resync is due: the watch is opened again after it, from the same resourceVersion.
            return Math.Max(count, 1);
        }

        return count;
    }

    private async Task ApplyAsync(WatchEvent<T> change, CancellationToken cancellationToken)
    {
        if (change.Type == WatchEventType.Bookmark)
        {
            return;
        }

        var key = Key(change.Object);
        switch (change.Type)
        {
            case WatchEventType.Added or WatchEventType.Modified:
                var old = _cache.TryGetValue(key, out var cached) ? cached : null;
                _cache[key] = change.Object;
                await HandleAsync(new InformerChange<T>(old is null ? InformerChangeType.Added : InformerChangeType.Updated, change.Object, old), cancellationToken);
                break;
            case WatchEventType.Deleted:
                _cache.TryRemove(key, out _);
                await HandleAsync(new InformerChange<T>(InformerChangeType.Deleted, change.Object, null), cancellationToken);
                break;
        }
    }

    /// <summary>Lists everything and hands over what differs from the cache: new, changed and vanished objects.</summary>
    private async Task RelistAsync(CancellationToken cancellationToken)
    {
        var list = await _client.ListAsync(_type, _namespace, new KubernetesListOptions { LabelSelector = _options.LabelSelector, FieldSelector = _options.FieldSelector }, cancellationToken);
        var listed = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var item in list.Items ?? [])
        {
            listed[Key(item)] = item;
        }

        foreach (var (key, item) in listed)
        {
            var old = _cache.TryGetValue(key, out var cached) ? cached : null;
            _cache[key] = item;
            if (old is null)
            {
                await HandleAsync(new InformerChange<T>(InformerChangeType.Added, item, null), cancellationToken);
            }
            else if (old.Metadata?.ResourceVersion != item.Metadata?.ResourceVersion)
            {
                await HandleAsync(new InformerChange<T>(InformerChangeType.Updated, item, old), cancellationToken);
            }
        }

        foreach (var (key, gone) in _cache.Where(c => !listed.ContainsKey(c.Key)).ToList())
        {
            _cache.TryRemove(key, out _);
            await HandleAsync(new InformerChange<T>(InformerChangeType.Deleted, gone, null), cancellationToken);
        }

        _resourceVersion = list.Metadata?.ResourceVersion;
        LogListed(_logger, _type.QualifiedPlural, listed.Count, _resourceVersion);
        _synced.TrySetResult();
    }

    private async Task ResyncAsync(CancellationToken cancellationToken)
    {
        foreach (var item in _cache.Values.OrderBy(Key, StringComparer.Ordinal).ToList())
        {
            await HandleAsync(new InformerChange<T>(InformerChangeType.Resync, item, null), cancellationToken);
        }
    }

    private async Task HandleAsync(InformerChange<T> change, CancellationToken cancellationToken)
    {
        _handling = true;
        await _handler(change, cancellationToken);
        _handling = false;
    }

    private static string Key(T value) => Key(value.Metadata?.Namespace, value.Metadata?.Name ?? "");

    private static string Key(string? ns, string name) => string.IsNullOrEmpty(ns) ? name : $"{ns}/{name}";

    [LoggerMessage(Level = LogLevel.Information, Message = "Listed {Resource}: {Count} objects at resourceVersion {ResourceVersion}")]
    private static partial void LogListed(ILogger logger, string resource, int count, string? resourceVersion);

    [LoggerMessage(Level = LogLevel.Information, Message = "The watch of {Resource} from resourceVersion {ResourceVersion} is too old (410); listing again")]
    private static partial void LogExpired(ILogger logger, string resource, string? resourceVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listing or watching {Resource} failed ({Reason}); trying again in {DelayMs:0} ms")]
    private static partial void LogFailed(ILogger logger, string resource, string reason, double delayMs);
}
