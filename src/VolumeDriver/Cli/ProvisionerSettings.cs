using VolumeDriver.Domain;

namespace VolumeDriver.Cli;

/// <summary>The provisioner mode's command line, checked.</summary>
/// <param name="ConfigPath">--config, or null for the usual search.</param>
/// <param name="Driver">--driver: the StorageClasses' provisioner and the PVs' flexVolume.driver.</param>
/// <param name="Kubeconfig">--kubeconfig, or null for the in-cluster service account.</param>
/// <param name="HealthPort">--health-port: /healthz and /readyz; 0 serves neither.</param>
/// <param name="LeaseNamespace">--lease-namespace, or null for the pod's own namespace (then "default").</param>
/// <param name="Identity">--identity, or null for "&lt;host name&gt;_&lt;random&gt;".</param>
/// <param name="Workers">--workers: how many claims and volumes are worked on at once.</param>
internal sealed record ProvisionerSettings(
    string? ConfigPath,
    bool Verbose,
    FlexDriverName Driver,
    string? Kubeconfig,
    int HealthPort,
    string? LeaseNamespace,
    string? Identity,
    int Workers);
