using Microsoft.Extensions.Logging.Abstractions;
using Simulators.Kubernetes;
using VolumeDriver.Kubernetes;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Kubernetes;

/// <summary>
/// The Kubernetes API double and a client of ours connected to it the way an operator connects from
/// outside the cluster: a kubeconfig file in a temp directory with a token user and the double's CA
/// as certificate-authority-data.
/// </summary>
internal sealed class KubernetesTestBed : IAsyncDisposable
{
    private readonly List<KubernetesApiClient> _clients = [];

    private KubernetesTestBed(KubernetesApiSimulator api, string directory, TimeProvider timeProvider)
    {
        Api = api;
        Directory = directory;
        TimeProvider = timeProvider;
        KubeconfigPath = Path.Join(directory, "kubeconfig");
        File.WriteAllText(KubeconfigPath, Kubeconfig(api.BaseUri, Convert.ToBase64String(File.ReadAllBytes(api.CaPemPath)), api.Options.Token));
    }

    public KubernetesApiSimulator Api { get; }

    /// <summary>A temp directory of the test's own, removed at the end.</summary>
    public string Directory { get; }

    public string KubeconfigPath { get; }

    public TimeProvider TimeProvider { get; }

    /// <summary>Retries on at once: the tests count requests, never wait for backoff.</summary>
    public static KubernetesApiClientOptions NoWaitOptions { get; } = new() { FirstRetryDelay = TimeSpan.Zero, MaxRetryDelay = TimeSpan.Zero };

    public static async Task<KubernetesTestBed> StartAsync(KubernetesApiOptions? options = null, TimeProvider? timeProvider = null)
    {
        var directory = Path.Join(Path.GetTempPath(), "kclient-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var api = await KubernetesApiSimulator.StartAsync((options ?? new KubernetesApiOptions()) with { StateDirectory = Path.Join(directory, "double") }).WithTimeout();
        return new KubernetesTestBed(api, directory, timeProvider ?? TimeProvider.System);
    }

    /// <summary>A kubeconfig with one cluster, one token user and one context, current.</summary>
    public static string Kubeconfig(Uri server, string caData, string token, string context = "test") => $$"""
        apiVersion: v1
        kind: Config
        preferences: {}
        clusters:
        - name: double
          cluster:
            server: {{server.AbsoluteUri.TrimEnd('/')}}
            certificate-authority-data: {{caData}}
        users:
        - name: provisioner
          user:
            token: {{token}}
        contexts:
        - name: {{context}}
          context:
            cluster: double
            user: provisioner
            namespace: kube-system
        current-context: {{context}}
        """;

    public KubernetesApiClient Client(KubernetesApiClientOptions? options = null)
    {
        var client = new KubernetesApiClient(KubeconfigLoader.Load(KubeconfigPath, null, TimeProvider), options ?? NoWaitOptions, TimeProvider, NullLogger.Instance);
        _clients.Add(client);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Connection.Dispose();
            client.Dispose();
        }

        await Api.DisposeAsync().WithTimeout();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
