using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Simulators.Kubernetes;
using VolumeDriver.Backends.Loop;
using VolumeDriver.Domain;
using VolumeDriver.Kubernetes;
using VolumeDriver.Kubernetes.LeaderElection;
using VolumeDriver.Modules;
using VolumeDriver.Provisioning;
using VolumeDriver.Tests.Configuration;
using VolumeDriver.Tests.Kubernetes;
using VolumeDriver.Tests.Node;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Provisioning;

/// <summary>
/// The provisioner's controller, in process, against the Kubernetes API double (which plays the PV
/// controller, so provisioned PVs get bound and released) on the loop backend: images in a temp
/// directory, loop devices in a fake sysfs tree. The controller's clock is a manual one: its
/// backoff moves only when a test advances it.
/// </summary>
internal sealed class ProvisionerTestBed : IAsyncDisposable
{
    public const string Driver = "example.com/loop";

    private readonly KubernetesTestBed _kubernetes;
    private readonly TempConfigDirectory _temp = new();
    private readonly FakeHostTree _host = new();
    private CancellationTokenSource _stop = new();
    private Task? _running;
    private KubernetesApiClient? _client;

    private ProvisionerTestBed(KubernetesTestBed kubernetes)
    {
        _kubernetes = kubernetes;
        Images = _temp.PathOf("images");
        Assert.True(FlexDriverName.TryParse(Driver, out var driver, out _));
        DriverName = driver.Value;
        Disk = FakeLoopBackend.Create(Images, _temp.PathOf("locks"), _host);
    }

    public KubernetesApiSimulator Api => _kubernetes.Api;

    /// <summary>A client of the tests' own, for changes the double has no shortcut for.</summary>
    public KubernetesApiClient Client => _client ??= _kubernetes.Client();

    /// <summary>The controller's clock: a manual one that tells when a backoff has been scheduled.</summary>
    public WatchedClock Clock { get; } = new();

    public ProvisionerHealth Health { get; } = new();

    public LoopDiskBackend Disk { get; }

    public FlexDriverName DriverName { get; }

    public string Images { get; }

    public static async Task<ProvisionerTestBed> StartAsync() => new(await KubernetesTestBed.StartAsync().WithTimeout());

    /// <summary>Starts the controller (again, after <see cref="StopAsync"/>: a restarted provisioner).</summary>
    public void Start() => _running = Controller(_kubernetes.Client(), "test-replica", Health).RunAsync(_stop.Token);

    /// <summary>
    /// A whole replica as the provisioner mode runs it (API check, Lease, controller), named
    /// <paramref name="identity"/>; cancel <paramref name="stop"/> as SIGTERM would.
    /// </summary>
    public (Task<int> Run, ProvisionerHealth Health) StartReplica(string identity, CancellationToken stop)
    {
        var client = _kubernetes.Client();
        var health = new ProvisionerHealth();
        var lease = new LeaderElectionOptions { Namespace = LeaseNamespace, LeaseName = ProvisioningNames.LeaseNameFor(DriverName), Identity = identity }.Validate();
        var host = new ProvisionerHost(
            client,
            new LeaderElector(client, lease, Clock, NullLogger.Instance),
            lease,
            Controller(client, identity, health),
            health,
            healthServer: null,
            Clock,
            NullLogger.Instance);
        return (host.RunAsync(stop), health);
    }

    public const string LeaseNamespace = "storage";

    private ProvisioningController Controller(KubernetesApiClient client, string identity, ProvisionerHealth health) => new(
        client,
        Disk,
        new VolumePlanner(DriverName, new HashSet<string>(StringComparer.Ordinal), new LoopProvisioningProfile()),
        new EventRecorder(client, Driver, identity, Clock, NullLogger.Instance),
        DriverName,
        health,
        workers: 4,
        new KubernetesInformerOptions { ResyncPeriod = null },
        Clock,
        NullLogger.Instance);

    /// <summary>Stops the controller the way SIGTERM or a lost lease does, so that <see cref="Start"/> can run a new one.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync().WithTimeout();
        if (_running is not null)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _running.WithTimeout()).WithTimeout();
        }

        _stop = new CancellationTokenSource();
        _running = null;
    }

    public void SimulateAttached(string volume) => _host.AddLoop("loop9", Path.Join(Images, volume + ".img"));

    public void SimulateDetached() => Directory.Delete(_host.Root.Map("/sys/block/loop9"), recursive: true);

    public string[] ImageNames() => Directory.Exists(Images)
        ? [.. Directory.EnumerateFiles(Images, "*.img").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!]
        : [];

    public JsonObject CreateClass(string name, JsonObject? parameters = null, string reclaimPolicy = "Delete", string? bindingMode = null, JsonArray? mountOptions = null)
    {
        var body = new JsonObject
        {
            ["apiVersion"] = "storage.k8s.io/v1",
            ["kind"] = "StorageClass",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["provisioner"] = Driver,
            ["parameters"] = parameters ?? [],
            ["reclaimPolicy"] = reclaimPolicy,
        };
        if (bindingMode is not null)
        {
            body["volumeBindingMode"] = bindingMode;
        }

        if (mountOptions is not null)
        {
            body["mountOptions"] = mountOptions;
        }

        return Api.Create(KubernetesResource.StorageClasses, null, body);
    }

    public JsonObject CreateClaim(string name, string storageClass, string storage = "100Mi", string accessMode = "ReadWriteOnce", string? volumeMode = null, string ns = "apps")
    {
        var spec = new JsonObject
        {
            ["accessModes"] = new JsonArray(accessMode),
            ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["storage"] = storage } },
            ["storageClassName"] = storageClass,
        };
        if (volumeMode is not null)
        {
            spec["volumeMode"] = volumeMode;
        }

        return Api.Create(KubernetesResource.PersistentVolumeClaims, ns, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "PersistentVolumeClaim",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["spec"] = spec,
        });
    }

    /// <summary>The events recorded on an object, as "Type Reason: message".</summary>
    public IReadOnlyList<string> EventsOn(string name) => [.. Api.List(KubernetesResource.Events)
        .Where(e => (string?)e["involvedObject"]?["name"] == name)
        .OrderBy(e => (string?)e["metadata"]!["name"], StringComparer.Ordinal)
        .Select(e => $"{(string?)e["type"]} {(string?)e["reason"]}: {(string?)e["message"]}")];

    /// <summary>Waits (on the real clock, up to the test's time limit) until the double's state satisfies <paramref name="condition"/>.</summary>
    public async Task UntilAsync(Func<bool> condition)
    {
        try
        {
            await WaitAsync().WithTimeout(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException("state: " + string.Join("\n", Api.Requests.TakeLast(30)) + "\nevents: " + string.Join("\n", Api.List(KubernetesResource.Events).Select(x => x.ToJsonString())), e);
        }

        async Task WaitAsync()
        {
            while (!condition())
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().WithTimeout();
        if (_running is not null)
        {
            await _running.WithTimeout().ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stop.Dispose();
        await _kubernetes.DisposeAsync().WithTimeout();
        _host.Dispose();
        _temp.Dispose();
    }
}
