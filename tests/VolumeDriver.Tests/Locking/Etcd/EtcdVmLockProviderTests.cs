using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using VolumeDriver.Configuration;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.Locking.Etcd;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Locking.Etcd;

/// <summary>The etcd per-VM lock against a real etcd 3.4 through its JSON gateway.</summary>
public sealed class EtcdVmLockProviderTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [EtcdFact]
    public async Task SecondAcquirer_WaitsForTheFirst_AndGetsTheLockWhenItIsReleased()
    {
        await using var etcd = await EtcdServer.StartAsync();
        var locks = Provider(Configuration(etcd));

        var first = await locks.AcquireAsync("vm-a", Wait, CancellationToken.None);
        var second = locks.AcquireAsync("vm-a", Wait, CancellationToken.None);
        var other = await locks.AcquireAsync("vm-b", Wait, CancellationToken.None);
        await Task.WhenAny(second, Task.Delay(TimeSpan.FromSeconds(1)));
        Assert.False(second.IsCompleted, "the second acquirer got the lock while the first held it");
        Assert.Equal(2, await etcd.CountKeysAsync(EtcdVmLockProvider.DefaultKeyPrefix + "vm-a"));

        await first.DisposeAsync();
        await using (await second.WaitAsync(Wait))
        {
            Assert.Equal(1, await etcd.CountKeysAsync(EtcdVmLockProvider.DefaultKeyPrefix + "vm-a"));
        }

        await other.DisposeAsync();
        Assert.Equal(0, await etcd.CountKeysAsync(EtcdVmLockProvider.DefaultKeyPrefix));
    }

    [EtcdFact]
    public async Task AcquireTimeout_IsADeadlineFailure_AndLeavesNoWaiterBehind()
    {
        await using var etcd = await EtcdServer.StartAsync();
        var locks = Provider(Configuration(etcd));
        await using var holder = await locks.AcquireAsync("vm-t", Wait, CancellationToken.None);

        var e = await Assert.ThrowsAsync<DeadlineExceededException>(() => locks.AcquireAsync("vm-t", TimeSpan.FromMilliseconds(500), CancellationToken.None));

        Assert.Contains("VM 'vm-t'", e.Message, StringComparison.Ordinal);
        await WaitUntilAsync(async () => await etcd.CountKeysAsync(EtcdVmLockProvider.DefaultKeyPrefix + "vm-t") == 1);
    }

    [EtcdFact]
    public async Task HolderKilledWithSigkill_TheNextLockerProceedsOnceItsLeaseExpires()
    {
        await using var etcd = await EtcdServer.StartAsync();
        using var holder = StartHolder(etcd.ClientUrl, EtcdVmLockProvider.DefaultKeyPrefix + "vm-k", ttlSeconds: 2);
        var line = await holder.StandardOutput.ReadLineAsync().WaitAsync(Wait);
        Assert.StartsWith("locked", line, StringComparison.Ordinal);
        var locks = Provider(Configuration(etcd));

        var waiting = locks.AcquireAsync("vm-k", Wait, CancellationToken.None);
        await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(3)));
        Assert.False(waiting.IsCompleted, "got the lock while its live holder kept the lease alive");
        holder.Kill();
        await using var acquired = await waiting.WaitAsync(Wait);

        Assert.Equal(1, await etcd.CountKeysAsync(EtcdVmLockProvider.DefaultKeyPrefix + "vm-k"));
    }

    [EtcdFact]
    public async Task LeaseRevokedFromOutside_IsNoticedByTheKeepalive()
    {
        await using var etcd = await EtcdServer.StartAsync();
        var locks = Provider(Configuration(etcd) with { LeaseTtl = TimeSpan.FromSeconds(3) });
        await using var held = await locks.AcquireAsync("vm-l", Wait, CancellationToken.None);
        var lease = ((EtcdVmLockProvider.EtcdVmLock)held).Lease;

        await etcd.PostAsync("/v3/lease/revoke", $"{{\"ID\":\"{lease}\"}}");

        var lost = new TaskCompletionSource();
        ((EtcdVmLockProvider.EtcdVmLock)held).LostToken.Register(() => lost.TrySetResult());
        await lost.Task.WaitAsync(Wait);
    }

    [EtcdFact]
    public async Task UsernameAndPassword_Authenticate_AndAWrongPasswordIsAClearFailure()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await etcd.EnableAuthAsync(TestSecrets.Password);

        await using (await Provider(Configuration(etcd) with { Username = "root", Password = new Secret(TestSecrets.Password) }).AcquireAsync("vm-u", Wait, CancellationToken.None))
        {
        }

        var e = await Assert.ThrowsAsync<EtcdException>(() => Provider(Configuration(etcd) with { Username = "root", Password = new Secret("not-it") }).AcquireAsync("vm-u", Wait, CancellationToken.None));
        var none = await Assert.ThrowsAsync<EtcdException>(() => Provider(Configuration(etcd)).AcquireAsync("vm-u", Wait, CancellationToken.None));

        Assert.Contains("username and password", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-it", e.Message, StringComparison.Ordinal);
        Assert.Contains("user name is empty", none.Message, StringComparison.Ordinal);
    }

    [EtcdFact]
    public async Task TlsWithClientCertificates_Works_AndAnotherCaIsRefused()
    {
        await using var etcd = await EtcdServer.StartAsync(tls: true);
        var tls = etcd.Tls!;
        var configuration = Configuration(etcd) with { CaCertificateFile = tls.CaCert, ClientCertificateFile = tls.ClientCert, ClientKeyFile = tls.ClientKey };

        await using (await Provider(configuration).AcquireAsync("vm-tls", Wait, CancellationToken.None))
        {
        }

        var wrongCa = await Assert.ThrowsAsync<EtcdException>(() => Provider(configuration with { CaCertificateFile = tls.OtherCaCert }).AcquireAsync("vm-tls", Wait, CancellationToken.None));
        var noClientCert = await Assert.ThrowsAsync<EtcdException>(() => Provider(configuration with { ClientCertificateFile = null, ClientKeyFile = null }).AcquireAsync("vm-tls", Wait, CancellationToken.None));

        Assert.Contains("cannot reach etcd", wrongCa.Message, StringComparison.Ordinal);
        // etcd lets the TLS handshake through without a client certificate, then its gateway refuses the call.
        Assert.Contains(etcd.ClientUrl.ToString(), noClientCert.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EtcdDown_IsAClearFailure()
    {
        var down = new EtcdConfiguration([new Uri("http://127.0.0.1:1")], null, null, null, null, null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5));

        var e = await Assert.ThrowsAsync<EtcdException>(() => Provider(down).AcquireAsync("vm-d", Wait, CancellationToken.None));

        Assert.Contains("cannot reach etcd at http://127.0.0.1:1/", e.Message, StringComparison.Ordinal);
        Assert.Contains("etcd section of the configuration", e.Message, StringComparison.Ordinal);
    }

    private static EtcdConfiguration Configuration(EtcdServer etcd) =>
        new([etcd.ClientUrl], null, null, null, null, null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(3));

    private static EtcdVmLockProvider Provider(EtcdConfiguration configuration) =>
        new(new EtcdGatewayClient(configuration, TimeProvider.System, NullLogger.Instance), configuration.LeaseTtl, configuration.RequestTimeout, EtcdVmLockProvider.DefaultKeyPrefix, TimeProvider.System, NullLogger.Instance);

    /// <summary>The Simulators program's hold-etcd-lock command: another process that holds the lock until killed.</summary>
    private static Process StartHolder(Uri endpoint, string name, int ttlSeconds)
    {
        var simulators = Path.Join(AppContext.BaseDirectory, "Simulators.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { simulators, "hold-etcd-lock", endpoint.ToString(), name, ttlSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTimeOffset.UtcNow + Wait;
        while (!await condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "condition not met in time");
            await Task.Delay(50);
        }
    }
}
