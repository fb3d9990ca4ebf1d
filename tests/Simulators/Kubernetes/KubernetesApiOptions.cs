namespace Simulators.Kubernetes;

/// <summary>How a <see cref="KubernetesApiSimulator"/> behaves. All time runs on <see cref="TimeProvider"/>.</summary>
public sealed record KubernetesApiOptions
{
    /// <summary>The bearer token every request must carry (a service account's token).</summary>
    public string Token { get; init; } = "test-service-account-token";

    /// <summary>
    /// More tokens the double accepts, each with a label its requests are logged under
    /// (<see cref="RequestRecord.Credential"/>): two replicas of one service account hold two
    /// projected tokens, which tells their requests apart. They act as the same user.
    /// </summary>
    public IReadOnlyDictionary<string, string> AdditionalTokens { get; init; } = new Dictionary<string, string>();

    /// <summary>The label the requests carrying <see cref="Token"/> are logged under.</summary>
    public const string PrimaryCredential = "primary";

    /// <summary>
    /// What the token's user may do, as RBAC decides; null lets it do everything (a cluster-admin
    /// token). Requests no rule allows are answered 403 Forbidden.
    /// </summary>
    public KubernetesAuthorization? Authorization { get; init; }

    /// <summary>
    /// Whether the WatchList feature gate is on: watch accepts sendInitialEvents (streaming lists,
    /// https://kubernetes.io/docs/reference/using-api/api-concepts/#streaming-lists). Off, such a
    /// watch is refused with the API server's validation error.
    /// </summary>
    public bool WatchList { get; init; } = true;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Whether the double plays kube-controller-manager's PV controller and the storage-object-in-use
    /// protection controllers: binding, phases, the provisioner annotations, finalizer removal.
    /// </summary>
    public bool PlayPersistentVolumeController { get; init; } = true;

    /// <summary>
    /// How many changes the watch cache keeps. A watch or a list continuation from before the oldest
    /// kept change is answered 410 Expired, as the API server does once etcd has compacted.
    /// </summary>
    public int HistoryLimit { get; init; } = 1000;

    /// <summary>How often a watch that allowed bookmarks gets one (the API server sends about one a minute).</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>A watch without timeoutSeconds ends after this long (the API server picks 30 to 60 minutes).</summary>
    public TimeSpan DefaultWatchTimeout { get; init; } = TimeSpan.FromMinutes(30);

    public string StateDirectory { get; init; } = Path.Combine(Path.GetTempPath(), "k8s-double-" + Guid.NewGuid().ToString("N"));
}
