using VolumeDriver.Domain;

namespace VolumeDriver.Configuration;

/// <summary>
/// The vCloud Director backend, read from the <c>vcloud:</c> section that the Python driver's
/// config.yaml already has (host, org, vdc, username, password, verify_ssl_certs, api_version,
/// default_storage, etcd, log, log_file, debug), plus this driver's own optional keys.
/// </summary>
/// <param name="Endpoint">The API root: https://host (the Python driver's host has no scheme; a scheme or port may be given).</param>
/// <param name="Org">The organisation the user logs in to.</param>
/// <param name="Vdc">The virtual data centre whose disks and VMs are used.</param>
/// <param name="PreferredApiVersion">api_version: used when the server supports it, else the newest common version.</param>
/// <param name="DefaultStorage">The storage profile for new disks when the volume names none.</param>
/// <param name="VerifyTlsCertificates">verify_ssl_certs; false works but is logged as a warning on every run.</param>
/// <param name="CaCertificateFile">A PEM file of CA certificates to trust for the API (instead of the system store).</param>
/// <param name="StateDirectory">Root-only directory for the session token cache and the volume records.</param>
/// <param name="VmNames">Node name → VM name, where they differ (the default is the node name).</param>
/// <param name="VApp">When set, VMs are looked up in this vApp only (VM names are unique per vApp only).</param>
/// <param name="TaskTimeout">How long to wait for one vCD task (create, attach, detach).</param>
/// <param name="DrainWait">How long attach waits for a disk attached to another VM to be freed.</param>
/// <param name="DetachFromPoweredOffVms">Policy: attach may detach a disk from another VM that is powered off.</param>
/// <param name="Debug">The Python driver's debug flag: raises the log level to Debug.</param>
internal sealed record VCloudConfiguration(
    Uri Endpoint,
    string Org,
    string Vdc,
    string Username,
    Secret Password,
    string? PreferredApiVersion,
    string? DefaultStorage,
    bool VerifyTlsCertificates,
    string? CaCertificateFile,
    string StateDirectory,
    IReadOnlyDictionary<string, string> VmNames,
    string? VApp,
    TimeSpan TaskTimeout,
    TimeSpan DrainWait,
    bool DetachFromPoweredOffVms,
    bool Debug)
{
    public const string DefaultStateDirectory = "/var/lib/volume-driver/vcloud";

    public static readonly TimeSpan DefaultTaskTimeout = TimeSpan.FromMinutes(5);

    public static readonly TimeSpan DefaultDrainWait = TimeSpan.FromSeconds(60);
}
