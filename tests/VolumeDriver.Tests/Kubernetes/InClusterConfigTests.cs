using VolumeDriver.CloudCalls;
using VolumeDriver.Errors;
using VolumeDriver.Kubernetes;
using VolumeDriver.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Simulators.Kubernetes;

namespace VolumeDriver.Tests.Kubernetes;

/// <summary>The pod's own connection: service variables and the mounted service account, with a rotating token.</summary>
public sealed class InClusterConfigTests
{
    [Fact]
    public async Task Load_FromTheServiceAccountDirectory_ConnectsAndReadsTheNamespace()
    {
        await using var bed = await KubernetesTestBed.StartAsync().WithTimeout();
        var account = ServiceAccount(bed, bed.Api.Options.Token);

        using var connection = InClusterConfig.Load(Environment(bed), account, TimeProvider.System);
        using var client = new KubernetesApiClient(connection, KubernetesTestBed.NoWaitOptions, TimeProvider.System, NullLogger.Instance);

        Assert.Equal("provisioning", connection.DefaultNamespace);
        Assert.Equal(bed.Api.BaseUri.Port, connection.Server.Port);
        Assert.Null(await client.GetAsync(KubernetesResources.Nodes, null, "none", CancellationToken.None).WithTimeout());
    }

    [Fact]
    public async Task TheTokenFile_IsReadAgainAfterAMinute()
    {
        var clock = new ManualTimeProvider();
        await using var bed = await KubernetesTestBed.StartAsync(timeProvider: clock).WithTimeout();
        var account = ServiceAccount(bed, bed.Api.Options.Token);
        using var connection = InClusterConfig.Load(Environment(bed), account, clock);
        using var client = new KubernetesApiClient(connection, KubernetesTestBed.NoWaitOptions with { MaxAttempts = 1 }, clock, NullLogger.Instance);
        Assert.Null(await client.GetAsync(KubernetesResources.Nodes, null, "none", CancellationToken.None).WithTimeout());

        // The kubelet rotates the projected token: the old one goes on working for a while, the file changes.
        File.WriteAllText(Path.Join(account, "token"), "rotated-token-the-double-refuses");
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Null(await client.GetAsync(KubernetesResources.Nodes, null, "none", CancellationToken.None).WithTimeout());

        clock.Advance(TimeSpan.FromSeconds(2));
        var e = await Assert.ThrowsAsync<CloudRequestException>(() => client.GetAsync(KubernetesResources.Nodes, null, "none", CancellationToken.None).WithTimeout()).WithTimeout();
        Assert.Equal(401, e.Status);
        Assert.DoesNotContain("rotated-token", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A401_ReadsTheTokenFileAgainAtOnce()
    {
        await using var bed = await KubernetesTestBed.StartAsync().WithTimeout();
        var account = ServiceAccount(bed, "stale-token");
        using var connection = InClusterConfig.Load(Environment(bed), account, TimeProvider.System);
        using var client = new KubernetesApiClient(connection, KubernetesTestBed.NoWaitOptions with { MaxAttempts = 1 }, TimeProvider.System, NullLogger.Instance);
        await Assert.ThrowsAsync<CloudRequestException>(() => client.GetAsync(KubernetesResources.Nodes, null, "none", CancellationToken.None).WithTimeout()).WithTimeout();
        Assert.Equal(2, bed.Api.Requests.Count);

        File.WriteAllText(Path.Join(account, "token"), bed.Api.Options.Token);

        Assert.Null(await client.GetAsync(KubernetesResources.Nodes, null, "none", CancellationToken.None).WithTimeout());
    }

    [Fact]
    public void Load_OutsideAPod_NamesTheMissingVariable()
    {
        var e = Assert.Throws<ConfigurationException>(() => InClusterConfig.Load(_ => null, "/nonexistent", TimeProvider.System));

        Assert.Equal(InClusterConfig.HostVariable, e.Key);
        Assert.Contains("--kubeconfig", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_WithoutAToken_NamesTheFile()
    {
        await using var bed = await KubernetesTestBed.StartAsync().WithTimeout();
        var account = ServiceAccount(bed, "t");
        File.Delete(Path.Join(account, "token"));

        var e = Assert.Throws<ConfigurationException>(() => InClusterConfig.Load(Environment(bed), account, TimeProvider.System));

        Assert.Equal(Path.Join(account, "token"), e.File);
    }

    private static Func<string, string?> Environment(KubernetesTestBed bed) => name => name switch
    {
        InClusterConfig.HostVariable => bed.Api.BaseUri.Host,
        InClusterConfig.PortVariable => bed.Api.BaseUri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => null,
    };

    private static string ServiceAccount(KubernetesTestBed bed, string token)
    {
        var directory = Path.Join(bed.Directory, "serviceaccount");
        Directory.CreateDirectory(directory);
        File.Copy(bed.Api.CaPemPath, Path.Join(directory, "ca.crt"), overwrite: true);
        File.WriteAllText(Path.Join(directory, "token"), token);
        File.WriteAllText(Path.Join(directory, "namespace"), "provisioning");
        return directory;
    }
}
