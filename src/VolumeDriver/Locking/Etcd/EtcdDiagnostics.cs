using VolumeDriver.CloudCalls;
using VolumeDriver.Configuration;
using VolumeDriver.Domain;
using VolumeDriver.Errors;

namespace VolumeDriver.Locking.Etcd;

/// <summary>
/// doctor's etcd check: the configured cluster answers and grants a lease, which is exactly what
/// every attach and detach needs of it (the lease is revoked at once, so no lock is ever held).
/// </summary>
internal static class EtcdDiagnostics
{
    private static readonly TimeSpan ProbeLeaseTtl = TimeSpan.FromSeconds(5);

    /// <summary>The check through the same gateway client the lock uses (its log lines are dropped: doctor has no log of its own).</summary>
    public static async Task<DoctorCheck> ProbeAsync(EtcdConfiguration configuration, CancellationToken cancellationToken)
    {
        if (EtcdTlsFiles.FindUnreadable(configuration) is { } unreadable)
        {
            return TlsFileFailure(unreadable);
        }

        using var gateway = new EtcdGatewayClient(configuration, EtcdGatewayClientOptions.From(configuration), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        return await CheckAsync(gateway, configuration, cancellationToken);
    }

    public static async Task<DoctorCheck> CheckAsync(IEtcdGateway gateway, EtcdConfiguration configuration, CancellationToken cancellationToken)
    {
        var endpoints = string.Join(", ", configuration.Endpoints);
        try
        {
            var lease = await gateway.GrantLeaseAsync(ProbeLeaseTtl, cancellationToken);
            await gateway.RevokeLeaseAsync(lease, cancellationToken);
            var user = configuration.Username is null ? string.Empty : $" as user '{configuration.Username}'";
            return DoctorCheck.Ok("etcd", $"{endpoints} granted a lease{user} (revoked again): attach and detach are serialised per VM across nodes");
        }
        catch (CloudRequestException e)
        {
            return DoctorCheck.Fail("etcd", e.Message, "check locking.etcd (or vcloud.etcd): the endpoints, the TLS files, the user, and that etcd runs");
        }
        catch (ConfigurationException e)
        {
            // A TLS file that exists but is not PEM: found when the client reads it.
            return TlsFileFailure(e);
        }
    }

    private static DoctorCheck TlsFileFailure(ConfigurationException e) =>
        DoctorCheck.Fail("etcd", e.Message, $"fix {e.Key} in the configuration: name a PEM file there, or leave ca_cert, cert and key empty for plain http");
}
