using System.Security.Cryptography.X509Certificates;

namespace Simulators.Arm;

/// <summary>What the ARM and Entra ID double knows: the tenant, the subscription, the identities that may get tokens, and the VMs.</summary>
public sealed record ArmSimulatorOptions
{
    public string StateDirectory { get; init; } = Path.Join(Path.GetTempPath(), "arm-sim-" + Guid.NewGuid().ToString("N")[..8]);

    public string TenantId { get; init; } = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    public string SubscriptionId { get; init; } = "00000000-1111-2222-3333-444444444444";

    public string ResourceGroup { get; init; } = "k8s-rg";

    public string Location { get; init; } = "westeurope";

    /// <summary>Service principals: client id → secret.</summary>
    public IReadOnlyDictionary<string, string> ClientSecrets { get; init; } = new Dictionary<string, string>();

    /// <summary>Service principals: client id → the certificate whose key signs their client assertions.</summary>
    public IReadOnlyDictionary<string, X509Certificate2> ClientCertificates { get; init; } = new Dictionary<string, X509Certificate2>();

    /// <summary>Client ids whose federated (workload identity) tokens are accepted.</summary>
    public IReadOnlyList<string> FederatedClients { get; init; } = [];

    /// <summary>Managed identities the IMDS endpoint hands tokens for: "system" and user-assigned client ids.</summary>
    public IReadOnlyList<string> ManagedIdentities { get; init; } = ["system"];

    public IReadOnlyList<string> Vms { get; init; } = ["node-1", "node-2"];

    /// <summary>
    /// Scale sets and their instance count. Instance i of scale set s has the computer name s followed
    /// by i in six base-36 digits (as Azure names VMSS computers), which is also its key here and in
    /// <see cref="EmulatedNodes"/>.
    /// </summary>
    public IReadOnlyDictionary<string, int> ScaleSets { get; init; } = new Dictionary<string, int>();

    /// <summary>
    /// The data disks every VM's size allows (Standard_D16s_v5, the size the double reports, allows 32).
    /// An update with more is refused as ARM refuses it: 409 OperationNotAllowed, "The maximum number
    /// of data disks allowed to be attached to a VM of this size is N."
    /// </summary>
    public int MaxDataDisks { get; init; } = 32;

    /// <summary>Where a storage account's Blob service is, {account} standing for its name (Azurite's path-style template in the tests).</summary>
    public string BlobEndpointTemplate { get; init; } = "https://{account}.blob.core.windows.net/";

    /// <summary>The keys listKeys hands out for accounts of these names (Azurite's, so the blob calls authenticate); others get random keys.</summary>
    public IReadOnlyDictionary<string, string> StorageAccountKeys { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The size of the disk a VHD data disk holds, for node emulation (the double keeps no blobs; a
    /// test that writes VHDs to Azurite reads the size there). Null: 1 GiB.
    /// </summary>
    public Func<string, long>? VhdDiskBytes { get; init; }

    /// <summary>
    /// VM name (or scale-set computer name) → identity.type as ARM spells it: "SystemAssigned",
    /// "UserAssigned", "SystemAssigned, UserAssigned", or "None" for a VM without one. A VM not named
    /// has both, as the nodes of a cluster using useManagedIdentityExtension with a kubelet identity do.
    /// </summary>
    public IReadOnlyDictionary<string, string> VmIdentities { get; init; } = new Dictionary<string, string>();

    /// <summary>VMs (by name) whose OS disk is an unmanaged blob VHD.</summary>
    public IReadOnlyList<string> UnmanagedOsDiskVms { get; init; } = [];

    /// <summary>VM name → the directory standing for that VM's root (SCSI sysfs, /dev/disk/azure), for node emulation.</summary>
    public IReadOnlyDictionary<string, string> EmulatedNodes { get; init; } = new Dictionary<string, string>();

    /// <summary>How long a disk or VM operation stays InProgress.</summary>
    public TimeSpan OperationTime { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// The clock <see cref="OperationTime"/> passes on: the system's by default. Tests whose driver
    /// skips its waits give the double a clock that skips too, so an operation ends at once instead of
    /// being polled through its whole real time.
    /// </summary>
    public TimeProvider OperationClock { get; init; } = TimeProvider.System;

    /// <summary>The Retry-After (seconds) sent with long-running operations; real ARM sends a few seconds.</summary>
    public int RetryAfterSeconds { get; init; } = 1;

    /// <summary>
    /// Microsoft.Storage as Azure Stack Hub serves it ("Azure Stack Hub storage: Differences and
    /// considerations"): general-purpose v1 accounts only (kind Storage) and locally redundant
    /// replication only; a create asking for anything else is refused.
    /// </summary>
    public bool AzureStackStorage { get; init; }
}
