using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using VolumeDriver.CloudCalls;
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
        await using var etcd = await EtcdServer.StartAsync().WithTimeout();
        var locks = Provider(Configuration(etcd));

        var first = await locks.AcquireAsync("vm-a", Wait, CancellationToken.None).WithTimeout();
        var second = locks.AcquireAsync("vm-a", Wait, CancellationToken.None);
        // The second acquirer's key queued in etcd is the proof it is waiting; taking another VM's lock
        // after that is a round trip in which a wrongly granted lock would have come back.
        await WaitUntilAsync(async () => await etcd.CountKeysAsync(EtcdVmLockProvider.DefaultKeyPrefix + "vm-a").WithTimeout() == 2).WithTimeout();
        var other = await locks.AcquireAsync("vm-b", Wait, CancellationToken.None).WaitAsync(Wait).WithTimeout();
        Assert.False(second.IsCompleted, "the second acquirer got the lock while the first held it");

        await first.DisposeAsync().WithTimeout();
        await using (await second.WaitAsync(Wait).WithTimeout())
        {
            Assert.Equal(1, await etcd.CountKeysAsync(EtcdVmLockProvider.DefaultKeyPrefix + "vm-a").WithTimeout());
        }

        await other.DisposeAsync().WithTimeout();
        Assert.Equal(0, await etcd.CountKeysAsync(EtcdVmLockProvider.DefaultKeyPrefix).WithTimeout());
    }

    [EtcdFact]
    public async Task AcquireTimeout_IsADeadlineFailure_AndLeavesNoWaiterBehind()
    {
        await using var etcd = await EtcdServer.StartAsync().WithTimeout();
        var time = new ManualTimeProvider();
        var locks = Provider(Configuration(etcd), time);
        await using var holder = await locks.AcquireAsync("vm-t", Wait, CancellationToken.None).WaitAsync(Wait).WithTimeout();

        var waiting = locks.AcquireAsync("vm-t", TimeSpan.FromSeconds(20), CancellationToken.None);
        await WaitUntilAsync(async () => await etcd.CountKeysAsync(EtcdVmLockProvider.DefaultKeyPrefix + "vm-t").WithTimeout() == 2).WithTimeout();
        time.Advance(TimeSpan.FromSeconds(19));
        Assert.False(waiting.IsCompleted, "the acquire gave up before its timeout");
        time.Advance(TimeSpan.FromSeconds(1));
        var e = await Assert.ThrowsAsync<DeadlineExceededException>(() => waiting.WaitAsync(Wait)).WithTimeout();

        Assert.Equal("waiting for the attach/detach lock of VM 'vm-t' in etcd did not finish within 20 s; another driver (on this or another node) holds volume-driver/vm/vm-t; it is released when that driver finishes, or within 3 s if it died", e.Message);
        await WaitUntilAsync(async () => await etcd.CountKeysAsync(EtcdVmLockProvider.DefaultKeyPrefix + "vm-t").WithTimeout() == 1).WithTimeout();
    }

    [EtcdFact]
    public async Task HolderKilledWithSigkill_TheNextLockerProceedsOnceItsLeaseExpires()
    {
        await using var etcd = await EtcdServer.StartAsync().WithTimeout();
        using var holder = StartHolder(etcd.ClientUrl, EtcdVmLockProvider.DefaultKeyPrefix + "vm-k", ttlSeconds: 2);
        var line = await holder.StandardOutput.ReadLineAsync().WaitAsync(Wait).WithTimeout();
        Assert.StartsWith("locked", line, StringComparison.Ordinal);
        var locks = Provider(Configuration(etcd));

        var waiting = locks.AcquireAsync("vm-k", Wait, CancellationToken.None);
        await WaitUntilAsync(async () => await etcd.CountKeysAsync(EtcdVmLockProvider.DefaultKeyPrefix + "vm-k").WithTimeout() == 2).WithTimeout();
        Assert.False(waiting.IsCompleted, "got the lock while its live holder held it");
        holder.Kill();
        await using var acquired = await waiting.WaitAsync(Wait).WithTimeout();

        Assert.Equal(1, await etcd.CountKeysAsync(EtcdVmLockProvider.DefaultKeyPrefix + "vm-k").WithTimeout());
    }

    [EtcdFact]
    public async Task LeaseRevokedFromOutside_IsNoticedByTheKeepalive()
    {
        await using var etcd = await EtcdServer.StartAsync().WithTimeout();
        var locks = Provider(Configuration(etcd) with { LeaseTtl = TimeSpan.FromSeconds(3) });
        await using var held = await locks.AcquireAsync("vm-l", Wait, CancellationToken.None).WithTimeout();
        var lease = ((EtcdVmLockProvider.EtcdVmLock)held).Lease;

        await etcd.PostAsync("/v3/lease/revoke", $"{{\"ID\":\"{lease}\"}}").WithTimeout();

        var lost = new TaskCompletionSource();
        ((EtcdVmLockProvider.EtcdVmLock)held).LostToken.Register(() => lost.TrySetResult());
        await lost.Task.WaitAsync(Wait).WithTimeout();
    }

    [EtcdFact]
    public async Task UsernameAndPassword_Authenticate_AndAWrongPasswordIsAClearFailure()
    {
        await using var etcd = await EtcdServer.StartAsync().WithTimeout();
        await etcd.EnableAuthAsync(TestSecrets.Password).WithTimeout();

        await using (await Provider(Configuration(etcd) with { Username = "root", Password = new Secret(TestSecrets.Password) }).AcquireAsync("vm-u", Wait, CancellationToken.None).WithTimeout())
        {
        }

        var e = await Assert.ThrowsAsync<CloudRequestException>(() => Provider(Configuration(etcd) with { Username = "root", Password = new Secret("not-it") }).AcquireAsync("vm-u", Wait, CancellationToken.None)).WithTimeout();
        var none = await Assert.ThrowsAsync<CloudRequestException>(() => Provider(Configuration(etcd)).AcquireAsync("vm-u", Wait, CancellationToken.None)).WithTimeout();

        Assert.Contains("username and password", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-it", e.Message, StringComparison.Ordinal);
        Assert.Contains("user name is empty", none.Message, StringComparison.Ordinal);
    }

    [EtcdFact]
    public async Task TlsWithClientCertificates_Works_AndAnotherCaIsRefused()
    {
        await using var etcd = await EtcdServer.StartAsync(tls: true).WithTimeout();
        var tls = etcd.Tls!;
        var configuration = Configuration(etcd) with { CaCertificateFile = tls.CaCert, ClientCertificateFile = tls.ClientCert, ClientKeyFile = tls.ClientKey };

        await using (await Provider(configuration).AcquireAsync("vm-tls", Wait, CancellationToken.None).WithTimeout())
        {
        }

        var wrongCa = await Assert.ThrowsAsync<CloudRequestException>(() => Provider(configuration with { CaCertificateFile = tls.OtherCaCert }).AcquireAsync("vm-tls", Wait, CancellationToken.None)).WithTimeout();
        var noClientCert = await Assert.ThrowsAsync<CloudRequestException>(() => Provider(configuration with { ClientCertificateFile = null, ClientKeyFile = null }).AcquireAsync("vm-tls", Wait, CancellationToken.None)).WithTimeout();

        Assert.Contains("cannot reach etcd", wrongCa.Message, StringComparison.Ordinal);
        // etcd lets the TLS handshake through without a client certificate, then its gateway refuses the call.
        Assert.Contains(etcd.ClientUrl.ToString(), noClientCert.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EtcdDown_IsAClearFailure()
    {
        var down = new EtcdConfiguration([new Uri("http://127.0.0.1:1")], null, null, null, null, null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5));

        var e = await Assert.ThrowsAsync<CloudRequestException>(() => Provider(down).AcquireAsync("vm-d", Wait, CancellationToken.None)).WithTimeout();

        Assert.Contains("cannot reach etcd at http://127.0.0.1:1/", e.Message, StringComparison.Ordinal);
        Assert.Contains("etcd section of the configuration", e.Message, StringComparison.Ordinal);
    }

    private static EtcdConfiguration Configuration(EtcdServer etcd) =>
        new([etcd.ClientUrl], null, null, null, null, null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(3));

    private static EtcdVmLockProvider Provider(EtcdConfiguration configuration, TimeProvider? time = null) =>
        new(new EtcdGatewayClient(configuration, EtcdGatewayClientOptions.From(configuration), time ?? TimeProvider.System, NullLogger.Instance), configuration.LeaseTtl, configuration.RequestTimeout, EtcdVmLockProvider.DefaultKeyPrefix, time ?? TimeProvider.System, NullLogger.Instance);

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
        while (!await condition().WithTimeout())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "condition not met in time");
            await Task.Delay(50);
        }
    }
}
