using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using VolumeDriver.CloudCalls;
using VolumeDriver.Kubernetes.Models;

namespace VolumeDriver.Kubernetes;

/// <summary>
/// A small client of the Kubernetes API over HttpClient, for the kinds in <see cref="KubernetesResources"/>
/// (the KubernetesClient packages add 13-15 MiB to the executable and have no watch under NativeAOT;
/// docs/research/kubernetes-provisioning.md). One Get/List/Create/Replace/Patch/Delete/Watch serves every
/// kind through its <see cref="KubernetesResourceType{T}"/>.
/// <para>Expected outcomes are answers: a Get of a missing object is null, a Delete of one is false.
/// Every other refusal is a <see cref="CloudRequestException"/> (service Kubernetes, the HTTP status,
/// the Status reason as error code, the Audit-Id as request id); ask it <see cref="KubernetesErrors"/>'
/// questions. Retries run through the one <see cref="RetryLoop"/>: a 429 always (the server did not
/// act), a 5xx or a lost connection only for reads and for writes the server said to retry (Retry-After)
/// or that never left (no connection), so a create is never sent twice by us; never a 4xx otherwise.</para>
/// </summary>
internal sealed partial class KubernetesApiClient : IDisposable
{
    private const string JsonMediaType = "application/json";
    private const string MergePatchMediaType = "application/merge-patch+json";

    private readonly HttpClient _http;
    private readonly KubernetesApiClientOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly RetryLoop _retry;
    private readonly RetrySchedule _schedule;

    public KubernetesApiClient(KubernetesConnection connection, KubernetesApiClientOptions options, TimeProvider timeProvider, ILogger logger)
    {
        Connection = connection;
        _options = options.Validate();
        _timeProvider = timeProvider;
        _logger = logger;
        _retry = new RetryLoop(timeProvider);
        _schedule = new RetrySchedule(options.FirstRetryDelay, options.MaxRetryDelay, options.MaxAttempts, maxElapsed: null);
        _http = new HttpClient(connection.CreateHandler(options.ConnectTimeout), disposeHandler: true)
        {
            BaseAddress = connection.Server,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd(options.UserAgent);
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue(JsonMediaType));
    }

    public KubernetesConnection Connection { get; }

    public KubernetesApiClientOptions Options => _options;

    /// <summary>The object, or null when it does not exist.</summary>
    public async Task<T?> GetAsync<T>(KubernetesResourceType<T> type, string? ns, string name, CancellationToken cancellationToken)
        where T : KubernetesObject
    {
        var response = await SendAsync(HttpMethod.Get, type.ObjectPath(ns, name), null, null, notFoundIsAnswer: true, cancellationToken);
        return response.Status == HttpStatusCode.NotFound ? null : Read(response, type.ObjectType);
    }

    /// <summary>One page of a list: at most <see cref="KubernetesListOptions.Limit"/> items and the continue token for the rest.</summary>
    /// <param name="ns">The namespace of a namespaced kind, or null for all namespaces (and for cluster-scoped kinds).</param>
    public async Task<KubernetesList<T>> ListPageAsync<T>(KubernetesResourceType<T> type, string? ns, KubernetesListOptions? options, CancellationToken cancellationToken)
        where T : KubernetesObject
    {
        options ??= new KubernetesListOptions();
        var query = new QueryBuilder()
            .Add("labelSelector", options.LabelSelector)
            .Add("fieldSelector", options.FieldSelector)
            .Add("limit", options.Limit?.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Add("continue", options.Continue)
            .Add("resourceVersion", options.ResourceVersion)
            .Add("resourceVersionMatch", options.ResourceVersionMatch);
        var response = await SendAsync(HttpMethod.Get, type.CollectionPath(ns) + query, null, null, notFoundIsAnswer: false, cancellationToken);
        return Read(response, type.ListType);
    }

    /// <summary>
    /// Every item, read in pages of <see cref="KubernetesApiClientOptions.ListPageSize"/> from one
    /// consistent snapshot; the result's metadata.resourceVersion is the snapshot's, where a watch
    /// should start. A 410 here (the snapshot expired between pages) means: list again.
    /// </summary>
    public async Task<KubernetesList<T>> ListAsync<T>(KubernetesResourceType<T> type, string? ns, KubernetesListOptions? options, CancellationToken cancellationToken)
        where T : KubernetesObject
    {
        options ??= new KubernetesListOptions();
        var page = options with { Limit = options.Limit ?? _options.ListPageSize };
        var first = await ListPageAsync(type, ns, page, cancellationToken);
        var items = new List<T>(first.Items ?? []);
        var next = first.Metadata?.Continue;
        while (!string.IsNullOrEmpty(next))
        {
            // The continue token carries the snapshot's version: resourceVersion may not be sent with it.
            var more = await ListPageAsync(type, ns, page with { Continue = next, ResourceVersion = null, ResourceVersionMatch = null }, cancellationToken);
            items.AddRange(more.Items ?? []);
            next = more.Metadata?.Continue;
        }

        return first with { Items = items, Metadata = (first.Metadata ?? new ListMeta()) with { Continue = null, RemainingItemCount = null } };
    }

    /// <summary>Creates <paramref name="value"/> (in its metadata.namespace for a namespaced kind) and returns what the server stored.</summary>
    public async Task<T> CreateAsync<T>(KubernetesResourceType<T> type, T value, CancellationToken cancellationToken)
        where T : KubernetesObject
    {
        var ns = type.Namespaced ? value.Metadata?.Namespace ?? throw new ArgumentException($"a {type.Kind} needs metadata.namespace", nameof(value)) : null;
        var response = await SendAsync(HttpMethod.Post, type.CollectionPath(ns), Body(type, value), JsonMediaType, notFoundIsAnswer: false, cancellationToken);
        return Read(response, type.ObjectType);
    }

    /// <summary>
    /// Replaces the object (PUT) by <paramref name="value"/>, which carries the metadata.resourceVersion
    /// it was read at: when someone changed it since, this is a 409 Conflict (<see cref="KubernetesErrors.IsConflict"/>).
    /// For a kind with a status subresource the server ignores status here.
    /// </summary>
    public Task<T> ReplaceAsync<T>(KubernetesResourceType<T> type, T value, CancellationToken cancellationToken)
        where T : KubernetesObject =>
        PutAsync(type, value, "", cancellationToken);

    /// <summary>Replaces the status alone (PUT .../status); the server ignores everything else.</summary>
    public Task<T> ReplaceStatusAsync<T>(KubernetesResourceType<T> type, T value, CancellationToken cancellationToken)
        where T : KubernetesObject =>
        type.HasStatus ? PutAsync(type, value, "/status", cancellationToken) : throw new ArgumentException($"{type.Kind} has no status subresource", nameof(type));

    /// <summary>
    /// Applies a JSON merge patch (RFC 7386: a field set to null is removed) and returns the result.
    /// It never conflicts, unless the patch itself sets metadata.resourceVersion.
    /// </summary>
    public Task<T> PatchAsync<T>(KubernetesResourceType<T> type, string? ns, string name, JsonObject mergePatch, CancellationToken cancellationToken)
        where T : KubernetesObject =>
        PatchAtAsync(type, type.ObjectPath(ns, name), mergePatch, cancellationToken);

    /// <summary>Applies a JSON merge patch to the status subresource.</summary>
    public Task<T> PatchStatusAsync<T>(KubernetesResourceType<T> type, string? ns, string name, JsonObject mergePatch, CancellationToken cancellationToken)
        where T : KubernetesObject =>
        type.HasStatus ? PatchAtAsync(type, type.ObjectPath(ns, name) + "/status", mergePatch, cancellationToken) : throw new ArgumentException($"{type.Kind} has no status subresource", nameof(type));

    /// <summary>
    /// Deletes the object: true when the server accepted (it may still wait for finalizers, with
    /// deletionTimestamp set), false when it did not exist. With <paramref name="preconditions"/>
    /// the server deletes only the object with that uid and/or resourceVersion, and answers 409 Conflict otherwise.
    /// </summary>
    public async Task<bool> DeleteAsync<T>(KubernetesResourceType<T> type, string? ns, string name, Preconditions? preconditions, CancellationToken cancellationToken)
        where T : KubernetesObject
    {
        var body = preconditions is null
            ? null
            : JsonSerializer.SerializeToUtf8Bytes(new DeleteOptions { ApiVersion = "v1", Kind = "DeleteOptions", Preconditions = preconditions }, KubernetesJsonContext.Default.DeleteOptions);
        var response = await SendAsync(HttpMethod.Delete, type.ObjectPath(ns, name), body, body is null ? null : JsonMediaType, notFoundIsAnswer: true, cancellationToken);
        return response.Status != HttpStatusCode.NotFound;
    }

    /// <summary>Disposes the HTTP client; the connection (its certificates) stays the caller's to dispose.</summary>
    public void Dispose() => _http.Dispose();

    private async Task<T> PutAsync<T>(KubernetesResourceType<T> type, T value, string subresource, CancellationToken cancellationToken)
        where T : KubernetesObject
    {
        var name = value.Metadata?.Name ?? throw new ArgumentException($"a {type.Kind} to replace needs metadata.name", nameof(value));
        var response = await SendAsync(HttpMethod.Put, type.ObjectPath(value.Metadata.Namespace, name) + subresource, Body(type, value), JsonMediaType, notFoundIsAnswer: false, cancellationToken);
        return Read(response, type.ObjectType);
    }

    private async Task<T> PatchAtAsync<T>(KubernetesResourceType<T> type, string path, JsonObject mergePatch, CancellationToken cancellationToken)
        where T : KubernetesObject
    {
        var response = await SendAsync(HttpMethod.Patch, path, Encoding.UTF8.GetBytes(mergePatch.ToJsonString()), MergePatchMediaType, notFoundIsAnswer: false, cancellationToken);
        return Read(response, type.ObjectType);
    }

    /// <summary>The object as JSON, with apiVersion and kind set from the type (the server needs them on a write).</summary>
    private static byte[] Body<T>(KubernetesResourceType<T> type, T value)
        where T : KubernetesObject
    {
        var node = JsonSerializer.SerializeToNode(value, type.ObjectType)!.AsObject();
        node["apiVersion"] = type.ApiVersion;
        node["kind"] = type.Kind;
        return Encoding.UTF8.GetBytes(node.ToJsonString());
    }

    private T Read<T>(KubernetesResponse response, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
    {
        try
        {
            return JsonSerializer.Deserialize(response.Body, typeInfo)
                ?? throw Unusable(response, "an empty body");
        }
        catch (JsonException e)
        {
            throw Unusable(response, $"a body that is not the expected {typeof(T).Name}: {e.Message}", e);
        }
    }

    private CloudRequestException Unusable(KubernetesResponse response, string what, Exception? innerException = null) =>
        new(CloudService.Kubernetes, response.Operation, (int)response.Status, null, new CloudRequestIds(response.AuditId), $"The Kubernetes API server at {Connection.Server} answered {response.Operation} with {what}", innerException);

    /// <summary>A query string built from the parameters that are set.</summary>
    private sealed class QueryBuilder
    {
        private readonly StringBuilder _text = new();

        public QueryBuilder Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                _text.Append(_text.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
            }

            return this;
        }

        public override string ToString() => _text.ToString();
    }
}
