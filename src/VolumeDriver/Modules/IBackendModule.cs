using VolumeDriver.Domain;

namespace VolumeDriver.Modules;

/// <summary>
/// One backend as the composition root sees it: everything the configured backend brings, the cloud
/// side and the node side, so that nothing outside the module asks which backend is configured.
/// <see cref="Composition"/> picks the module from the configuration in one switch; building a module
/// does no I/O, and each method builds only what its caller needs (doctor never builds a backend,
/// a verb never builds doctor's checks).
/// </summary>
internal interface IBackendModule
{
    /// <summary>The option keys this backend reads from a volume's options, beyond the common ones.</summary>
    IReadOnlySet<string> OptionKeys { get; }

    /// <summary>The backend's parts for one verb: its disk, its device resolver, its node hooks, its capabilities.</summary>
    BackendParts Compose(ModuleServices services);

    /// <summary>What dynamic provisioning needs of this backend: its class checks, allocation unit and placement.</summary>
    IProvisioningProfile Provisioning { get; }

    /// <summary>The backend's doctor checks (credentials, cloud API, node VM, local state).</summary>
    IBackendDiagnostics CreateDiagnostics();
}
