using VolumeDriver.Configuration;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.Host;

namespace VolumeDriver.Backends.VCloud;

/// <summary>
/// The vCloud backend's doctor checks: the login works (or the cached session does), the VDC is
/// readable, this node's VM is found by its name, TLS is verified, and the state directory (session
/// cache, volume records) is writable.
/// </summary>
internal sealed class VCloudDiagnostics : IBackendDiagnostics
{
    private readonly VCloudConfiguration _configuration;
    private readonly VCloudConnection _connection;
    private readonly VCloudClient _client;
    private readonly NodeName _node;

    public VCloudDiagnostics(VCloudConfiguration configuration, VCloudConnection connection, VCloudClient client, NodeName node)
    {
        _configuration = configuration;
        _connection = connection;
        _client = client;
        _node = node;
    }

    public async Task<IReadOnlyList<DoctorCheck>> CheckAsync(CancellationToken cancellationToken)
    {
        var checks = new List<DoctorCheck> { TlsCheck() };
        var host = _configuration.Endpoint.GetLeftPart(UriPartial.Authority);
        try
        {
            var session = await _connection.SessionAsync(cancellationToken);
            checks.Add(DoctorCheck.Ok("credentials", $"logged in to {host} as {_configuration.Username}@{_configuration.Org} with API {session.ApiVersion}{(session.UuidApiVersion is null ? " (no API ≥ 36: disks have no UUID)" : string.Empty)}"));
        }
        catch (VolumeDriverException e)
        {
            checks.Add(DoctorCheck.Fail("credentials", e.Message, "check vcloud.host, vcloud.org, vcloud.username and vcloud.password"));
            checks.Add(DoctorCheck.Skip("cloud API", "no session"));
            checks.Add(DoctorCheck.Skip("node VM", "no session"));
            checks.Add(StateDirectoryCheck());
            return checks;
        }

        try
        {
            var vdc = await _client.GetVdcAsync(cancellationToken);
            var profiles = string.Join(", ", vdc.StorageProfiles.Keys.Order(StringComparer.Ordinal));
            checks.Add(_configuration.DefaultStorage is { } storage && !vdc.StorageProfiles.ContainsKey(storage)
                ? DoctorCheck.Fail("cloud API", $"VDC {_configuration.Vdc} has no storage profile '{storage}' (it has {profiles})", "set vcloud.default_storage to one of them")
                : DoctorCheck.Ok("cloud API", $"VDC {_configuration.Vdc} is readable and may create disks; storage profiles: {profiles}"));
        }
        catch (VolumeDriverException e)
        {
            checks.Add(DoctorCheck.Fail("cloud API", e.Message, "check that the user may read the VDC and create independent disks"));
        }

        var vmName = _configuration.VmNames.GetValueOrDefault(_node.Value, _node.Value);
        try
        {
            var vms = await _client.FindVmsAsync(vmName, _configuration.VApp, cancellationToken);
            checks.Add(vms.Count switch
            {
                1 => DoctorCheck.Ok("node VM", $"node {_node.Value} is VM '{vmName}' in vApp {vms[0].VAppName ?? "?"}"),
                0 => DoctorCheck.Fail("node VM", $"VDC {_configuration.Vdc} has no VM named '{vmName}' for node {_node.Value}", "map the node to its VM with vcloud.vm_names"),
                _ => DoctorCheck.Fail("node VM", $"{vms.Count} VMs are named '{vmName}'", "set vcloud.vapp to the cluster's vApp"),
            });
        }
        catch (VolumeDriverException e)
        {
            checks.Add(DoctorCheck.Fail("node VM", e.Message, "check that the user may query VMs"));
        }

        checks.Add(StateDirectoryCheck());
        return checks;
    }

    private DoctorCheck TlsCheck()
    {
        if (!_configuration.VerifyTlsCertificates)
        {
            return DoctorCheck.Warn("tls", "vcloud.verify_ssl_certs is false: the server's certificate is not checked", "set vcloud.ca_cert to the CA that signed it and remove verify_ssl_certs");
        }

        return DoctorCheck.Ok("tls", _configuration.CaCertificateFile is { } ca ? $"the server's certificate is checked against {ca}" : "the server's certificate is checked against the system's CAs");
    }

    private DoctorCheck StateDirectoryCheck()
    {
        var probe = DirectoryProbe.Probe(_configuration.StateDirectory);
        return probe.Writable
            ? DoctorCheck.Ok("state directory", $"{_configuration.StateDirectory} can hold the session cache and volume records")
            : DoctorCheck.Fail("state directory", $"{_configuration.StateDirectory} is not writable: {probe.WriteError}", "make it a root-owned writable directory, or set vcloud.state_dir");
    }
}
