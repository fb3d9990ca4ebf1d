using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace Simulators.Kubernetes;

/// <summary>
/// A Kubernetes API server double on 127.0.0.1 over HTTPS, for the objects a volume provisioner
/// touches: PersistentVolumes, PersistentVolumeClaims, StorageClasses, Nodes, core/v1 Events and
/// coordination.k8s.io/v1 Leases. Built from the API concepts page and the API reference
/// (docs/research/kubernetes-provisioning.md §3), not from what a client sends:
/// - a request without the bearer token is a 401 Status; with <see cref="KubernetesApiOptions.Authorization"/>
///   a verb no RBAC rule allows is a 403 Status worded as the API server words it;
/// - every object gets uid, creationTimestamp, resourceVersion (one counter for the whole store, as
///   etcd's revision) and generation; generateName is honoured; status is dropped on create;
/// - list answers a consistent snapshot with the list's resourceVersion, pages with limit/continue,
///   honours resourceVersion/resourceVersionMatch (Exact reads the state at that version), validates
///   list options as the API server does, and selects by equality and set-based label selectors and
///   by the field selectors the server indexes (others are a 400);
/// - watch streams ADDED/MODIFIED/DELETED events from a resourceVersion (synthetic ADDED for the
///   current state when none is given, or "0"), BOOKMARK events when allowed, streaming lists
///   (sendInitialEvents, ending the state with an initial-events-end bookmark), ends at
///   timeoutSeconds, and answers a resourceVersion older than the kept history with an ERROR event
///   carrying a 410 Expired Status (and a list continuation that old with an HTTP 410);
/// - update is optimistic: a stale metadata.resourceVersion is a 409 Conflict; for kinds with a status
///   subresource an update ignores status and /status ignores the rest; PATCH takes JSON patch,
///   JSON merge patch and strategic merge patch (<see cref="KubernetesPatch"/>);
/// - Leases and Events are decoded and validated as the API server does (<see cref="ObjectValidation"/>:
///   MicroTime with six fractional digits, lease duration, an event's namespace);
/// - delete of an object with finalizers sets deletionTimestamp and keeps it until the last finalizer
///   goes; PVs and PVCs get the protection finalizers on create, as admission adds them; a delete
///   answers with the object for PVs and PVCs and with a Success Status for the other kinds;
/// - every answer is logged with the client's User-Agent (<see cref="RequestLog"/>).
/// With <see cref="KubernetesApiOptions.PlayPersistentVolumeController"/> it also plays
/// kube-controller-manager's PV controller (see <see cref="PersistentVolumeController"/>).
/// </summary>
public sealed partial class KubernetesApiSimulator : IAsyncDisposable
{
    private const string PvProtection = "kubernetes.io/pv-protection";
    private const string PvcProtection = "kubernetes.io/pvc-protection";

    /// <summary>The HttpContext item holding the name a create stored, for the request log.</summary>
    private const string CreatedName = "k8s-double-created-name";

    private readonly Lock _lock = new();
    private readonly KubernetesApiOptions _options;
    private readonly SimulatorHost _host;
    private readonly TimeProvider _time;
    private readonly Dictionary<ObjectKey, JsonObject> _objects = [];
    private readonly List<WatchEvent> _history = [];
    private readonly List<Watcher> _watchers = [];
    private readonly Dictionary<string, ListSnapshot> _snapshots = new(StringComparer.Ordinal);
    private readonly List<(string Method, string Plural, HttpStatusCode Status)> _faults = [];
    private readonly List<RequestRecord> _requests = [];
    private readonly PersistentVolumeController _controller;
    private readonly CancellationTokenSource _stopping = new();
    private long _revision = 100;
    private long _oldestKept = 100;

    private KubernetesApiSimulator(KubernetesApiOptions options, SimulatorHost host)
    {
        _options = options;
        _host = host;
        _time = options.TimeProvider;
        _controller = new PersistentVolumeController(this);
    }

    public KubernetesApiOptions Options => _options;

    /// <summary>The server's base address, as a kubeconfig's cluster.server.</summary>
    public Uri BaseUri => _host.HttpsUri;

    /// <summary>The PEM file of the CA that signed the server's certificate, as a kubeconfig's certificate-authority.</summary>
    public string CaPemPath => _host.Ca.CaPemPath;

    public static async Task<KubernetesApiSimulator> StartAsync(KubernetesApiOptions options)
    {
        var host = await SimulatorHost.StartAsync(options.StateDirectory, 0, withPlainHttp: false);
        var simulator = new KubernetesApiSimulator(options, host);
        host.Serve(simulator.HandleAsync);
        return simulator;
    }

    /// <summary>Every request answered, as "METHOD path?query".</summary>
    public IReadOnlyList<string> Requests => [.. RequestLog.Select(r => $"{r.Method} {r.Path}{r.Query}")];

    /// <summary>Every request answered, with its User-Agent and status, in the order the answers started.</summary>
    public IReadOnlyList<RequestRecord> RequestLog
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>The stored object, or null; a copy.</summary>
    public JsonObject? Get(KubernetesResource resource, string? ns, string name)
    {
        lock (_lock)
        {
            return _objects.TryGetValue(new ObjectKey(resource, ns ?? "", name), out var stored) ? Clone(stored) : null;
        }
    }

    /// <summary>Every stored object of a kind (in every namespace); copies.</summary>
    public IReadOnlyList<JsonObject> List(KubernetesResource resource)
    {
        lock (_lock)
        {
            return [.. _objects.Where(o => o.Key.Resource == resource).OrderBy(o => o.Key.Namespace, StringComparer.Ordinal).ThenBy(o => o.Key.Name, StringComparer.Ordinal).Select(o => Clone(o.Value))];
        }
    }

    /// <summary>Creates an object as a client would (tests seed StorageClasses, PVCs and Nodes this way).</summary>
    public JsonObject Create(KubernetesResource resource, string? ns, JsonObject body)
    {
        lock (_lock)
        {
            var (status, result) = CreateLocked(resource, ns ?? "", Clone(body));
            return status == HttpStatusCode.Created ? Clone(result) : throw new InvalidOperationException(result.ToJsonString());
        }
    }

    /// <summary>Merge-patches an object as another client would (the scheduler setting selected-node, kubectl patch).</summary>
    public JsonObject Patch(KubernetesResource resource, string? ns, string name, JsonObject mergePatch)
    {
        lock (_lock)
        {
            var route = new Route(resource, ns ?? "", name, false);
            var (status, result) = _objects.TryGetValue(route.Key, out var current)
                ? UpdateLocked(route, KubernetesPatch.Merge(Clone(current), mergePatch))
                : (HttpStatusCode.NotFound, KubernetesStatus.NotFound(resource, name));
            return status == HttpStatusCode.OK ? Clone(result) : throw new InvalidOperationException(result.ToJsonString());
        }
    }

    /// <summary>Deletes an object as a client would (kubectl delete).</summary>
    public void Delete(KubernetesResource resource, string? ns, string name)
    {
        lock (_lock)
        {
            var (status, result) = DeleteLocked(resource, ns ?? "", name);
            if (status != HttpStatusCode.OK)
            {
                throw new InvalidOperationException(result.ToJsonString());
            }
        }
    }

    /// <summary>The next <paramref name="method"/> request on <paramref name="plural"/> fails with <paramref name="status"/>.</summary>
    public void FailNext(string method, string plural, HttpStatusCode status)
    {
        lock (_lock)
        {
            _faults.Add((method, plural, status));
        }
    }

    /// <summary>
    /// Forgets the change history up to now, as etcd compaction does: a watch or a list continuation
    /// from an older resourceVersion is then answered 410 Expired.
    /// </summary>
    public void CompactHistory()
    {
        lock (_lock)
        {
            _history.Clear();
            _oldestKept = _revision;
            _snapshots.Clear();
        }
    }

    /// <summary>Sends a BOOKMARK now to every open watch that allowed them.</summary>
    public void SendBookmarks()
    {
        lock (_lock)
        {
            foreach (var watcher in _watchers.Where(w => w.Bookmarks))
            {
                watcher.Channel.Writer.TryWrite(BookmarkFor(watcher.Resource));
            }
        }
    }

    /// <summary>How many watches are open on a kind: tests wait for a client's watch before changing things.</summary>
    public int OpenWatches(KubernetesResource resource)
    {
        lock (_lock)
        {
            return _watchers.Count(w => w.Resource == resource);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _host.DisposeAsync();
        _stopping.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var at = _time.GetUtcNow();

        // Every answer carries the request's audit id in the Audit-ID header (HeaderAuditID in
        // staging/src/k8s.io/apiserver/pkg/apis/audit/types.go, set by the apiserver's audit filter):
        // the caller's own Audit-ID when it sent one, else a new UUID.
        context.Response.Headers["Audit-ID"] = request.Headers["Audit-ID"] is { Count: > 0 } sent ? sent.ToString() : Guid.NewGuid().ToString();
        context.Response.OnStarting(() =>
        {
            // Logged when the answer starts: a watch is in the log as soon as its stream opens.
            lock (_lock)
            {
                _requests.Add(new RequestRecord(at, request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", request.Headers.UserAgent.ToString(), CredentialOf(request), context.Items[CreatedName] as string, context.Response.StatusCode));
                SignalChange();
            }

            return Task.CompletedTask;
        });
        try
        {
            await ServeAsync(context);
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            // A bug in the double: answer as the API server answers an internal error, with the cause.
            await WriteAsync(context, HttpStatusCode.InternalServerError, KubernetesStatus.Failure(HttpStatusCode.InternalServerError, "InternalError", $"the double failed: {e}"));
        }
    }

    private async Task ServeAsync(HttpContext context)
    {
        var request = context.Request;
        if (CredentialOf(request) is null)
        {
            await WriteAsync(context, HttpStatusCode.Unauthorized, KubernetesStatus.Unauthorized());
            return;
        }

        if (!Route.TryParse(request.Path.Value ?? "", out var route))
        {
            await WriteAsync(context, HttpStatusCode.NotFound, KubernetesStatus.Failure(HttpStatusCode.NotFound, "NotFound", "the server could not find the requested resource"));
            return;
        }

        context.Items[CreatedName] = route.Name;
        var query = request.Query;
        if (!Selector.TryParse(route.Resource, query["labelSelector"], query["fieldSelector"], out var selector, out var problem))
        {
            await WriteAsync(context, HttpStatusCode.BadRequest, KubernetesStatus.BadRequest(problem));
            return;
        }

        if (_options.Authorization is { } authorization)
        {
            // The verb and name as the API server's RequestInfoFactory reads them
            // (k8s.io/apiserver/pkg/endpoints/request/requestinfo.go): a GET of a collection is a list,
            // or a watch with watch=true; a list or watch selecting one metadata.name has that name.
            var verb = (request.Method, route.Name) switch
            {
                ("GET", null) => IsTrue(query["watch"]) ? "watch" : "list",
                ("GET", _) => "get",
                ("POST", _) => "create",
                ("PUT", _) => "update",
                ("PATCH", _) => "patch",
                ("DELETE", null) => "deletecollection",
                ("DELETE", _) => "delete",
                _ => request.Method.ToLowerInvariant(),
            };
            var name = route.Name ?? (verb is "list" or "watch" ? selector.SelectedName ?? "" : "");
            var subresource = route.Status ? "status" : "";
            if (!authorization.Allows(verb, route.Resource, subresource, route.Namespace, name))
            {
                await WriteAsync(context, HttpStatusCode.Forbidden, KubernetesStatus.Forbidden(route.Resource, subresource, name, route.Namespace, authorization.User, verb));
                return;
            }
        }

        HttpStatusCode? injected = null;
        lock (_lock)
        {
            var fault = _faults.FindIndex(f => f.Method == request.Method && f.Plural == route.Resource.Plural);
            if (fault >= 0)
            {
                injected = _faults[fault].Status;
                _faults.RemoveAt(fault);
            }
        }

        if (injected is { } status)
        {
            if (status == HttpStatusCode.TooManyRequests)
            {
                context.Response.Headers.RetryAfter = "1";
            }

            await WriteAsync(context, status, KubernetesStatus.Failure(status, status == HttpStatusCode.TooManyRequests ? "TooManyRequests" : "InternalError", $"injected failure {(int)status}"));
            return;
        }

        if (!await PassHoldAsync(request.Method, route.Resource.Plural, context.RequestAborted))
        {
            return;
        }

        if (route.Name is null)
        {
            switch (request.Method)
            {
                case "GET" when IsTrue(query["watch"]):
                    await WatchAsync(context, route, selector);
                    return;
                case "GET":
                    await ListAsync(context, route, selector);
                    return;
                case "POST":
                    var body = await ReadBodyAsync(context);
                    if (body is null)
                    {
                        return;
                    }

                    (HttpStatusCode, JsonObject) created;
                    lock (_lock)
                    {
                        created = CreateLocked(route.Resource, route.Namespace, body);
                    }

                    context.Items[CreatedName] = (string?)created.Item2["metadata"]?["name"];

                    await WriteAsync(context, created.Item1, created.Item2);
                    return;
            }
        }
        else
        {
            (HttpStatusCode Status, JsonObject Body) result;
            switch (request.Method)
            {
                case "GET":
                    lock (_lock)
                    {
                        result = _objects.TryGetValue(route.Key, out var stored)
                            ? (HttpStatusCode.OK, Clone(stored))
                            : (HttpStatusCode.NotFound, KubernetesStatus.NotFound(route.Resource, route.Name));
                    }

                    await WriteAsync(context, result.Status, result.Body);
                    return;
                case "PUT":
                    var replacement = await ReadBodyAsync(context);
                    if (replacement is null)
                    {
                        return;
                    }

                    lock (_lock)
                    {
                        result = UpdateLocked(route, replacement);
                    }

                    await WriteAsync(context, result.Status, result.Body);
                    return;
                case "PATCH":
                    await PatchAsync(context, route);
                    return;
                case "DELETE":
                    // A DeleteOptions body may carry preconditions (uid, resourceVersion).
                    var options = request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0 ? await ReadBodyAsync(context) : new JsonObject();
                    if (options is null)
                    {
                        return;
                    }

                    lock (_lock)
                    {
                        result = DeleteLocked(route.Resource, route.Namespace, route.Name, options["preconditions"] as JsonObject);
                    }

                    await WriteAsync(context, result.Status, result.Body);
                    return;
            }
        }

        await WriteAsync(context, HttpStatusCode.MethodNotAllowed, KubernetesStatus.Failure(HttpStatusCode.MethodNotAllowed, "MethodNotAllowed", $"the server does not allow this method on the requested resource"));
    }

    /// <summary>The label of the bearer token the request carries, or null for none the double accepts.</summary>
    private string? CredentialOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return null;
        }

        var token = header["Bearer ".Length..];
        return token == _options.Token ? KubernetesApiOptions.PrimaryCredential : _options.AdditionalTokens.GetValueOrDefault(token);
    }

    private async Task PatchAsync(HttpContext context, Route route)
    {
        var contentType = context.Request.ContentType?.Split(';')[0].Trim().ToLowerInvariant() ?? "";
        if (!KubernetesPatch.Accepted.Contains(contentType))
        {
            var note = contentType == "application/apply-patch+yaml"
                ? " (the real API server also serves application/apply-patch+yaml; this double does not implement server-side apply)"
                : "";
            await WriteAsync(context, HttpStatusCode.UnsupportedMediaType, KubernetesStatus.UnsupportedMediaType(KubernetesPatch.Accepted, note));
            return;
        }

        JsonNode? patch;
        try
        {
            patch = await JsonNode.ParseAsync(context.Request.Body);
        }
        catch (JsonException e)
        {
            await WriteAsync(context, HttpStatusCode.BadRequest, KubernetesStatus.BadRequest($"error decoding patch: {e.Message}"));
            return;
        }

        (HttpStatusCode Status, JsonObject Body) result;
        lock (_lock)
        {
            if (!_objects.TryGetValue(route.Key, out var current))
            {
                result = (HttpStatusCode.NotFound, KubernetesStatus.NotFound(route.Resource, route.Name!));
            }
            else
            {
                var patched = KubernetesPatch.Apply(route.Resource, contentType, current, patch);
                result = patched.Object is { } value
                    ? UpdateLocked(route, value)
                    : patched.IsMalformed
                        ? (HttpStatusCode.BadRequest, KubernetesStatus.BadRequest(patched.Problem!))
                        : (HttpStatusCode.UnprocessableEntity, KubernetesStatus.Failure(HttpStatusCode.UnprocessableEntity, "Invalid", patched.Problem!));
            }
        }

        await WriteAsync(context, result.Status, result.Body);
    }

    private (HttpStatusCode, JsonObject) CreateLocked(KubernetesResource resource, string ns, JsonObject body)
    {
        var metadata = Child(body, "metadata");
        var name = (string?)metadata["name"];
        if (string.IsNullOrEmpty(name) && metadata["generateName"] is JsonValue prefix)
        {
            // k8s.io/apiserver/pkg/storage/names/generate.go: the prefix cut to 58, then 5 characters
            // from k8s.io/apimachinery/pkg/util/rand's alphabet (no vowels, no look-alikes).
            var text = (string)prefix!;
            name = text[..Math.Min(text.Length, 58)] + new string([.. Enumerable.Range(0, 5).Select(_ => "bcdfghjklmnpqrstvwxz2456789"[Random.Shared.Next(27)])]);
        }

        if (string.IsNullOrEmpty(name))
        {
            return (HttpStatusCode.UnprocessableEntity, KubernetesStatus.Invalid(resource, "", "metadata.name", "Required value: name or generateName is required"));
        }

        if (resource.Namespaced && metadata["namespace"] is JsonValue given && (string)given! != ns)
        {
            return (HttpStatusCode.BadRequest, KubernetesStatus.BadRequest("the namespace of the provided object does not match the namespace sent on the request"));
        }

        if (ObjectValidation.Decode(resource, body) is { } undecodable)
        {
            return (HttpStatusCode.BadRequest, KubernetesStatus.BadRequest(undecodable));
        }

        metadata["name"] = name;
        if (ObjectValidation.Validate(resource, resource.Namespaced ? ns : "", body) is { Count: > 0 } invalid)
        {
            return (HttpStatusCode.UnprocessableEntity, KubernetesStatus.Invalid(resource.Group, resource.Kind, name, invalid));
        }

        var key = new ObjectKey(resource, resource.Namespaced ? ns : "", name);
        if (_objects.ContainsKey(key))
        {
            return (HttpStatusCode.Conflict, KubernetesStatus.AlreadyExists(resource, name));
        }

        body["kind"] = resource.Kind;
        body["apiVersion"] = resource.ApiVersion;
        metadata["name"] = name;
        if (resource.Namespaced)
        {
            metadata["namespace"] = ns;
        }

        metadata["uid"] = Guid.NewGuid().ToString();
        metadata["creationTimestamp"] = Timestamp();
        metadata["generation"] = 1L;
        metadata.Remove("deletionTimestamp");
        metadata.Remove("resourceVersion");
        if (resource.HasStatus)
        {
            // Status is the controllers' to write: the API server drops what a create sends.
            body.Remove("status");
        }

        Default(resource, body);
        if (resource == KubernetesResource.PersistentVolumes)
        {
            AddFinalizer(metadata, PvProtection);
        }
        else if (resource == KubernetesResource.PersistentVolumeClaims)
        {
            AddFinalizer(metadata, PvcProtection);
        }

        Store(key, body, "ADDED");
        _controller.Reconcile();
        return (HttpStatusCode.Created, Clone(_objects.TryGetValue(key, out var now) ? now : body));
    }

    private (HttpStatusCode Status, JsonObject Body) UpdateLocked(Route route, JsonObject body)
    {
        if (!_objects.TryGetValue(route.Key, out var current))
        {
            return (HttpStatusCode.NotFound, KubernetesStatus.NotFound(route.Resource, route.Name!));
        }

        var metadata = Child(body, "metadata");
        if ((string?)metadata["name"] is { } bodyName && bodyName != route.Name)
        {
            return (HttpStatusCode.BadRequest, KubernetesStatus.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({route.Name})"));
        }

        var expected = (string?)metadata["resourceVersion"];
        var currentMetadata = (JsonObject)current["metadata"]!;
        if (!string.IsNullOrEmpty(expected) && expected != (string?)currentMetadata["resourceVersion"])
        {
            return (HttpStatusCode.Conflict, KubernetesStatus.Conflict(route.Resource, route.Name!));
        }

        if (ObjectValidation.Decode(route.Resource, body) is { } undecodable)
        {
            return (HttpStatusCode.BadRequest, KubernetesStatus.BadRequest(undecodable));
        }

        var updated = Clone(current);
        if (route.Status)
        {
            // The status subresource changes status alone.
            updated["status"] = body["status"]?.DeepClone();
        }
        else
        {
            foreach (var (field, value) in body)
            {
                if (field is not ("metadata" or "kind" or "apiVersion") && !(route.Resource.HasStatus && field == "status"))
                {
                    updated[field] = value?.DeepClone();
                }
            }

            foreach (var field in updated.Select(p => p.Key).Where(f => f is not ("metadata" or "kind" or "apiVersion" or "status") && !body.ContainsKey(f)).ToList())
            {
                updated.Remove(field);
            }

            var updatedMetadata = (JsonObject)updated["metadata"]!;
            foreach (var field in new[] { "labels", "annotations", "finalizers", "ownerReferences" })
            {
                if (metadata[field] is { } value)
                {
                    updatedMetadata[field] = value.DeepClone();
                }
                else
                {
                    updatedMetadata.Remove(field);
                }
            }

            if (Immutable(route.Resource, current, updated) is { } field2)
            {
                return (HttpStatusCode.UnprocessableEntity, KubernetesStatus.Invalid(route.Resource, route.Name!, field2, "Forbidden: field is immutable"));
            }

            if (!JsonNode.DeepEquals(current["spec"], updated["spec"]))
            {
                updatedMetadata["generation"] = (currentMetadata["generation"] is { } generation ? long.Parse(generation.ToJsonString(), CultureInfo.InvariantCulture) : 1) + 1;
            }
        }

        Default(route.Resource, updated);
        if (ObjectValidation.Validate(route.Resource, route.Key.Namespace, updated) is { Count: > 0 } invalid)
        {
            return (HttpStatusCode.UnprocessableEntity, KubernetesStatus.Invalid(route.Resource.Group, route.Resource.Kind, route.Name!, invalid));
        }

        if (JsonNode.DeepEquals(current, updated))
        {
            return (HttpStatusCode.OK, Clone(current));
        }

        var finalMetadata = (JsonObject)updated["metadata"]!;
        if (finalMetadata["deletionTimestamp"] is not null && (finalMetadata["finalizers"] as JsonArray ?? []).Count == 0)
        {
            Remove(route.Key);
            _controller.Reconcile();
            return (HttpStatusCode.OK, updated);
        }

        Store(route.Key, updated, "MODIFIED");
        _controller.Reconcile();
        return (HttpStatusCode.OK, Clone(_objects.TryGetValue(route.Key, out var now) ? now : updated));
    }

    private (HttpStatusCode Status, JsonObject Body) DeleteLocked(KubernetesResource resource, string ns, string name, JsonObject? preconditions = null)
    {
        var key = new ObjectKey(resource, resource.Namespaced ? ns : "", name);
        if (!_objects.TryGetValue(key, out var current))
        {
            return (HttpStatusCode.NotFound, KubernetesStatus.NotFound(resource, name));
        }

        var metadata = (JsonObject)current["metadata"]!;
        if (PreconditionFailure(key, metadata, preconditions) is { } failed)
        {
            return (HttpStatusCode.Conflict, KubernetesStatus.Conflict(resource, name, failed));
        }

        if ((metadata["finalizers"] as JsonArray ?? []).Count > 0)
        {
            if (metadata["deletionTimestamp"] is null)
            {
                var marked = Clone(current);
                ((JsonObject)marked["metadata"]!)["deletionTimestamp"] = Timestamp();
                ((JsonObject)marked["metadata"]!)["deletionGracePeriodSeconds"] = 0;
                Store(key, marked, "MODIFIED");
                _controller.Reconcile();
            }

            return (HttpStatusCode.OK, Clone(_objects.TryGetValue(key, out var now) ? now : current));
        }

        Remove(key);
        _controller.Reconcile();
        return (HttpStatusCode.OK, resource.ReturnsDeletedObject ? current : KubernetesStatus.Success(resource, name, (string?)metadata["uid"]));
    }

    /// <summary>
    /// Why a delete's preconditions fail, as the storage layer words it (Preconditions.Check in
    /// k8s.io/apiserver/pkg/storage/interfaces.go, wrapped as a StorageError of code 4 and answered
    /// 409 Conflict), or null.
    /// </summary>
    private static string? PreconditionFailure(ObjectKey key, JsonObject metadata, JsonObject? preconditions)
    {
        var storageKey = $"/registry/{key.Resource.Plural}/{(key.Namespace.Length > 0 ? key.Namespace + "/" : "")}{key.Name}";
        string Failure(string detail) => $"StorageError: invalid object, Code: 4, Key: {storageKey}, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: {detail}";
        if ((string?)preconditions?["uid"] is { } uid && uid != (string?)metadata["uid"])
        {
            return Failure($"UID in precondition: {uid}, UID in object meta: {(string?)metadata["uid"]}");
        }

        if ((string?)preconditions?["resourceVersion"] is { } version && version != (string?)metadata["resourceVersion"])
        {
            return Failure($"ResourceVersion in precondition: {version}, ResourceVersion in object meta: {(string?)metadata["resourceVersion"]}");
        }

        return null;
    }

    private async Task ListAsync(HttpContext context, Route route, Selector selector)
    {
        var query = context.Request.Query;
        if (ListOptions.Validate(query, watch: false, _options.WatchList) is { } invalid)
        {
            await WriteAsync(context, HttpStatusCode.UnprocessableEntity, invalid);
            return;
        }

        (HttpStatusCode, JsonObject) answer;
        lock (_lock)
        {
            answer = ListLocked(route, selector, query["limit"], query["continue"], query["resourceVersion"], query["resourceVersionMatch"]);
        }

        await WriteAsync(context, answer.Item1, answer.Item2);
    }

    /// <summary>
    /// A list, by the "Semantics for get and list" table of the API concepts page
    /// (https://kubernetes.io/docs/reference/using-api/api-concepts/#semantics-for-get-and-list):
    /// no resourceVersion is the current state; "0" is any state (here: the current one);
    /// NotOlderThan X (or X without a match, the legacy form) is a state at least as new as X;
    /// Exact X is the state at X, 410 Expired once X has been compacted. A version newer than the
    /// store's is answered as the watch cache does after waiting for it: 504 "Too large resource version"
    /// (k8s.io/apiserver/pkg/storage/errors.go NewTooLargeResourceVersionError).
    /// </summary>
    private (HttpStatusCode, JsonObject) ListLocked(Route route, Selector selector, string? limitText, string? continueToken, string? resourceVersion, string? match)
    {
        ListSnapshot snapshot;
        if (!string.IsNullOrEmpty(continueToken))
        {
            if (!_snapshots.TryGetValue(continueToken, out var kept))
            {
                return (HttpStatusCode.Gone, KubernetesStatus.Expired("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list."));
            }

            snapshot = kept;
        }
        else
        {
            var revision = _revision;
            if (!string.IsNullOrEmpty(resourceVersion) && resourceVersion != "0")
            {
                if (!long.TryParse(resourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var wanted))
                {
                    return (HttpStatusCode.BadRequest, KubernetesStatus.BadRequest($"invalid resource version: strconv.ParseUint: parsing \"{resourceVersion}\": invalid syntax"));
                }

                if (wanted > _revision)
                {
                    return (HttpStatusCode.GatewayTimeout, KubernetesStatus.Failure(HttpStatusCode.GatewayTimeout, "Timeout", $"Timeout: Too large resource version: {wanted}, current: {_revision}", new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["reason"] = "ResourceVersionTooLarge", ["message"] = "Too large resource version" }), ["retryAfterSeconds"] = 1 }));
                }

                if (match == "Exact")
                {
                    if (wanted < _oldestKept)
                    {
                        return (HttpStatusCode.Gone, KubernetesStatus.Expired("The resourceVersion for the provided list is too old."));
                    }

                    revision = wanted;
                }
            }

            snapshot = new ListSnapshot(
                revision,
                [.. StateAt(route.Resource, revision).Where(o => (!route.Resource.Namespaced || route.Namespace.Length == 0 || o.Key.Namespace == route.Namespace) && selector.Matches(o.Value))
                    .OrderBy(o => o.Key.Namespace, StringComparer.Ordinal).ThenBy(o => o.Key.Name, StringComparer.Ordinal).Select(o => Clone(o.Value))],
                0);
        }

        var limit = int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out var l) && l > 0 ? l : int.MaxValue;
        var page = snapshot.Items.Skip(snapshot.Offset).Take(limit).ToList();
        var metadata = new JsonObject { ["resourceVersion"] = snapshot.Revision.ToString(CultureInfo.InvariantCulture) };
        var next = snapshot.Offset + page.Count;
        if (next < snapshot.Items.Count)
        {
            var token = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{{\"v\":\"meta.k8s.io/v1\",\"rv\":{snapshot.Revision},\"start\":\"{Guid.NewGuid():N}\"}}"));
            _snapshots[token] = snapshot with { Offset = next };
            metadata["continue"] = token;
            metadata["remainingItemCount"] = snapshot.Items.Count - next;
        }

        var items = new JsonArray();
        foreach (var item in page)
        {
            items.Add(Clone(item));
        }

        return (HttpStatusCode.OK, new JsonObject
        {
            ["kind"] = route.Resource.ListKind,
            ["apiVersion"] = route.Resource.ApiVersion,
            ["metadata"] = metadata,
            ["items"] = items,
        });
    }

    /// <summary>The objects of a kind as they were at <paramref name="revision"/>: the current ones with every later change undone.</summary>
    private Dictionary<ObjectKey, JsonObject> StateAt(KubernetesResource resource, long revision)
    {
        var state = _objects.Where(o => o.Key.Resource == resource).ToDictionary(o => o.Key, o => o.Value);
        foreach (var change in Enumerable.Reverse(_history).TakeWhile(h => h.Revision > revision).Where(h => h.Key.Resource == resource))
        {
            if (change.Previous is null)
            {
                state.Remove(change.Key);
            }
            else
            {
                state[change.Key] = change.Previous;
            }
        }

        return state;
    }

    private async Task WatchAsync(HttpContext context, Route route, Selector selector)
    {
        var query = context.Request.Query;
        if (ListOptions.Validate(query, watch: true, _options.WatchList) is { } invalid)
        {
            await WriteAsync(context, HttpStatusCode.UnprocessableEntity, invalid);
            return;
        }

        var timeout = int.TryParse(query["timeoutSeconds"], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? TimeSpan.FromSeconds(seconds) : _options.DefaultWatchTimeout;
        var watcher = new Watcher(route.Resource, route.Namespace, selector, IsTrue(query["allowWatchBookmarks"]), Channel.CreateUnbounded<WatchEvent>());
        var start = (string?)query["resourceVersion"];
        var initialEvents = IsTrue(query["sendInitialEvents"]);
        lock (_lock)
        {
            if (string.IsNullOrEmpty(start) || start == "0" || initialEvents)
            {
                // No version (or "any"), or a streaming list: the current state as synthetic ADDED
                // events, then what follows; a streaming list marks the end of the state with a
                // bookmark annotated k8s.io/initial-events-end (API reference, sendInitialEvents).
                foreach (var (key, value) in _objects.Where(o => o.Key.Resource == route.Resource).OrderBy(o => o.Key.Namespace, StringComparer.Ordinal).ThenBy(o => o.Key.Name, StringComparer.Ordinal))
                {
                    watcher.Channel.Writer.TryWrite(new WatchEvent(_revision, "ADDED", key, Clone(value), null));
                }

                if (initialEvents)
                {
                    var end = BookmarkFor(route.Resource);
                    Child((JsonObject)end.Object["metadata"]!, "annotations")["k8s.io/initial-events-end"] = "true";
                    watcher.Channel.Writer.TryWrite(end);
                }
            }
            else if (!long.TryParse(start, NumberStyles.None, CultureInfo.InvariantCulture, out var from))
            {
                watcher.Channel.Writer.TryWrite(new WatchEvent(_revision, "ERROR", default, KubernetesStatus.BadRequest($"resourceVersion: Invalid value: \"{start}\": strconv.ParseUint: parsing \"{start}\": invalid syntax"), null));
                watcher.Channel.Writer.TryComplete();
            }
            else if (from < _oldestKept)
            {
                watcher.Channel.Writer.TryWrite(new WatchEvent(_revision, "ERROR", default, KubernetesStatus.Expired($"too old resource version: {from} ({_oldestKept})"), null));
                watcher.Channel.Writer.TryComplete();
            }
            else
            {
                foreach (var change in _history.Where(h => h.Revision > from))
                {
                    watcher.Channel.Writer.TryWrite(change);
                }
            }

            _watchers.Add(watcher);
        }

        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        using var ends = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        using var timer = _time.CreateTimer(_ => ends.Cancel(), null, timeout, Timeout.InfiniteTimeSpan);
        using var bookmarks = watcher.Bookmarks
            ? _time.CreateTimer(_ => SendBookmarks(), null, _options.BookmarkInterval, _options.BookmarkInterval)
            : null;
        try
        {
            // The API server sends the headers at once: a client's watch call returns before any event.
            await response.StartAsync(ends.Token);
            await response.Body.FlushAsync(ends.Token);
            await foreach (var change in watcher.Channel.Reader.ReadAllAsync(ends.Token))
            {
                if (change.Type is "ADDED" or "MODIFIED" or "DELETED" && !watcher.Sees(change))
                {
                    continue;
                }

                var line = new JsonObject { ["type"] = change.Type, ["object"] = Clone(change.Object) };
                await response.WriteAsync(line.ToJsonString() + "\n", ends.Token);
                await response.Body.FlushAsync(ends.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The timeout, the client going away, or the double stopping: the stream just ends.
        }
        finally
        {
            lock (_lock)
            {
                _watchers.Remove(watcher);
            }
        }
    }

    /// <summary>Stores a change: a new resourceVersion, the history, and every open watch.</summary>
    internal void Store(ObjectKey key, JsonObject value, string type)
    {
        _revision++;
        ((JsonObject)value["metadata"]!)["resourceVersion"] = _revision.ToString(CultureInfo.InvariantCulture);
        _objects.TryGetValue(key, out var previous);
        _objects[key] = value;
        Record(new WatchEvent(_revision, type, key, Clone(value), previous is null ? null : Clone(previous)));
    }

    internal void Remove(ObjectKey key)
    {
        if (_objects.Remove(key, out var removed))
        {
            _revision++;
            var last = Clone(removed);
            ((JsonObject)last["metadata"]!)["resourceVersion"] = _revision.ToString(CultureInfo.InvariantCulture);
            Record(new WatchEvent(_revision, "DELETED", key, last, Clone(removed)));
        }
    }

    internal IEnumerable<(ObjectKey Key, JsonObject Value)> Objects(KubernetesResource resource) =>
        _objects.Where(o => o.Key.Resource == resource).Select(o => (o.Key, o.Value)).ToList();

    internal JsonObject? Find(KubernetesResource resource, string ns, string name) =>
        _objects.TryGetValue(new ObjectKey(resource, resource.Namespaced ? ns : "", name), out var value) ? value : null;

    internal string Timestamp() => _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    internal static JsonObject Clone(JsonObject value) => (JsonObject)value.DeepClone();

    /// <summary>The object at <paramref name="parent"/>.<paramref name="field"/>, created if missing.</summary>
    internal static JsonObject Child(JsonObject parent, string field)
    {
        if (parent[field] is JsonObject child)
        {
            return child;
        }

        child = [];
        parent[field] = child;
        return child;
    }

    private void Record(WatchEvent change)
    {
        SignalChange();
        _history.Add(change);
        if (_history.Count > _options.HistoryLimit)
        {
            var dropped = _history.Count - _options.HistoryLimit;
            _oldestKept = _history[dropped - 1].Revision;
            _history.RemoveRange(0, dropped);
        }

        foreach (var watcher in _watchers.Where(w => w.Resource == change.Key.Resource))
        {
            watcher.Channel.Writer.TryWrite(change);
        }
    }

    private WatchEvent BookmarkFor(KubernetesResource resource) =>
        new(_revision, "BOOKMARK", default, new JsonObject
        {
            ["kind"] = resource.Kind,
            ["apiVersion"] = resource.ApiVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = _revision.ToString(CultureInfo.InvariantCulture) },
        }, null);

    /// <summary>The defaults the API server fills in (pkg/apis/core/v1/defaults.go, storage/v1/defaults.go).</summary>
    private static void Default(KubernetesResource resource, JsonObject body)
    {
        if (resource == KubernetesResource.PersistentVolumes)
        {
            var spec = Child(body, "spec");
            spec["persistentVolumeReclaimPolicy"] ??= "Retain";
            spec["volumeMode"] ??= "Filesystem";
            body["status"] ??= new JsonObject { ["phase"] = "Pending" };
        }
        else if (resource == KubernetesResource.PersistentVolumeClaims)
        {
            var spec = Child(body, "spec");
            spec["volumeMode"] ??= "Filesystem";
            body["status"] ??= new JsonObject { ["phase"] = "Pending" };
        }
        else if (resource == KubernetesResource.StorageClasses)
        {
            body["reclaimPolicy"] ??= "Delete";
            body["volumeBindingMode"] ??= "Immediate";
        }
    }

    /// <summary>A field an update may not change, or null (validation's "field is immutable").</summary>
    private static string? Immutable(KubernetesResource resource, JsonObject current, JsonObject updated)
    {
        if (resource == KubernetesResource.StorageClasses)
        {
            foreach (var field in new[] { "provisioner", "parameters", "reclaimPolicy", "volumeBindingMode" })
            {
                if (!JsonNode.DeepEquals(current[field], updated[field]))
                {
                    return field;
                }
            }
        }
        else if (resource == KubernetesResource.PersistentVolumeClaims)
        {
            var before = (JsonObject)current["spec"]!.DeepClone();
            var after = updated["spec"] is JsonObject spec ? (JsonObject)spec.DeepClone() : [];
            // Only the requested size may change, and volumeName only from empty (binding).
            before.Remove("resources");
            after.Remove("resources");
            if (string.IsNullOrEmpty((string?)before["volumeName"]))
            {
                before.Remove("volumeName");
                after.Remove("volumeName");
            }

            if (!JsonNode.DeepEquals(before, after))
            {
                return "spec";
            }
        }
        else if (resource == KubernetesResource.PersistentVolumes)
        {
            // ValidatePersistentVolumeUpdate (pkg/apis/core/validation/validation.go): the volume source
            // and volumeMode never change, nodeAffinity only from unset; the rest of the spec may.
            if (!JsonNode.DeepEquals(current["spec"]?["volumeMode"], updated["spec"]?["volumeMode"]))
            {
                return "volumeMode";
            }

            if (current["spec"]?["nodeAffinity"] is not null && !JsonNode.DeepEquals(current["spec"]?["nodeAffinity"], updated["spec"]?["nodeAffinity"]))
            {
                return "nodeAffinity";
            }

            var specFields = new[] { "accessModes", "capacity", "claimRef", "persistentVolumeReclaimPolicy", "mountOptions", "nodeAffinity", "storageClassName", "volumeMode", "volumeAttributesClassName" };
            foreach (var field in ((JsonObject)current["spec"]!).Select(p => p.Key).Concat(((JsonObject?)updated["spec"])?.Select(p => p.Key) ?? []).Distinct())
            {
                if (!specFields.Contains(field) && !JsonNode.DeepEquals(current["spec"]?[field], updated["spec"]?[field]))
                {
                    return "spec.persistentvolumesource";
                }
            }
        }

        return null;
    }

    private static void AddFinalizer(JsonObject metadata, string finalizer)
    {
        if (metadata["finalizers"] is not JsonArray finalizers)
        {
            finalizers = [];
            metadata["finalizers"] = finalizers;
        }

        if (!finalizers.Any(f => (string?)f == finalizer))
        {
            finalizers.Add(JsonValue.Create(finalizer));
        }
    }

    private static bool IsTrue(string? value) => value is "true" or "1";

    private static async Task<JsonObject?> ReadBodyAsync(HttpContext context)
    {
        try
        {
            return await JsonNode.ParseAsync(context.Request.Body) as JsonObject
                ?? throw new JsonException("not an object");
        }
        catch (JsonException e)
        {
            await WriteAsync(context, HttpStatusCode.BadRequest, KubernetesStatus.BadRequest($"the object provided is unrecognized: {e.Message}"));
            return null;
        }
    }

    private static Task WriteAsync(HttpContext context, HttpStatusCode status, JsonObject body)
    {
        context.Response.StatusCode = (int)status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString());
    }

    internal readonly record struct ObjectKey(KubernetesResource Resource, string Namespace, string Name);

    /// <summary>A change; <see cref="Previous"/> is the object before it (null for ADDED), to answer lists at an older resourceVersion.</summary>
    private sealed record WatchEvent(long Revision, string Type, ObjectKey Key, JsonObject Object, JsonObject? Previous);

    private sealed record ListSnapshot(long Revision, IReadOnlyList<JsonObject> Items, int Offset);

    private sealed record Watcher(KubernetesResource Resource, string Namespace, Selector Selector, bool Bookmarks, Channel<WatchEvent> Channel)
    {
        public bool Sees(WatchEvent change) =>
            change.Key.Resource == Resource
            && (!Resource.Namespaced || Namespace.Length == 0 || change.Key.Namespace == Namespace)
            && Selector.Matches(change.Object);
    }

    /// <summary>The request path: /api/v1[/namespaces/{ns}]/{plural}[/{name}[/status]], or /apis/{group}/{version}/...</summary>
    private readonly record struct Route(KubernetesResource Resource, string Namespace, string? Name, bool Status)
    {
        public ObjectKey Key => new(Resource, Resource.Namespaced ? Namespace : "", Name!);

        public static bool TryParse(string path, out Route route)
        {
            route = default;
            foreach (var resource in KubernetesResource.All)
            {
                if (!path.StartsWith(resource.GroupVersionPath + "/", StringComparison.Ordinal))
                {
                    continue;
                }

                var parts = path[(resource.GroupVersionPath.Length + 1)..].Split('/');
                var ns = "";
                if (parts is ["namespaces", var n, .. var rest] && resource.Namespaced && rest.Length > 0)
                {
                    ns = n;
                    parts = rest;
                }

                switch (parts)
                {
                    case [var plural] when plural == resource.Plural:
                        route = new Route(resource, ns, null, false);
                        return true;
                    case [var plural, var name] when plural == resource.Plural && (ns.Length > 0 || !resource.Namespaced):
                        route = new Route(resource, ns, name, false);
                        return true;
                    case [var plural, var name, "status"] when plural == resource.Plural && resource.HasStatus && (ns.Length > 0 || !resource.Namespaced):
                        route = new Route(resource, ns, name, true);
                        return true;
                }
            }

            return false;
        }
    }
}
