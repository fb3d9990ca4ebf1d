namespace Simulators.VCloud;

/// <summary>What the vCD double starts with and how it behaves.</summary>
public sealed record VCloudSimulatorOptions
{
    public string StateDirectory { get; init; } = Path.Join(Path.GetTempPath(), "vcd-sim-" + Guid.NewGuid().ToString("N")[..8]);

    public string Org { get; init; } = "acme";

    /// <summary>The org's UUID (in /api/org/{id}); random when null.</summary>
    public string? OrgId { get; init; }

    public string Vdc { get; init; } = "acme-vdc";

    /// <summary>The VDC's UUID (in /api/vdc/{id} and its URN); random when null.</summary>
    public string? VdcId { get; init; }

    /// <summary>The VDC's storage profiles; the first is the default for a create without one.</summary>
    public IReadOnlyList<string> StorageProfiles { get; init; } = ["T1", "fast"];

    /// <summary>user (without @org) → password.</summary>
    public IReadOnlyDictionary<string, string> Users { get; init; } = new Dictionary<string, string> { ["k8s"] = "Pa55-w0rd!" };

    /// <summary>The VMs of the VDC: name, vApp, powered on.</summary>
    public IReadOnlyList<SimulatedVm> Vms { get; init; } = [new("node-1", "k8s", true), new("node-2", "k8s", true), new("node-3", "k8s", true)];

    /// <summary>API versions the server lists; those below <see cref="DeprecatedBelow"/> are marked deprecated.</summary>
    public IReadOnlyList<string> Versions { get; init; } = ["27.0", "29.0", "30.0", "31.0", "32.0", "33.0", "34.0", "35.0", "36.0", "37.0", "37.2", "38.0"];

    public double DeprecatedBelow { get; init; } = 30.0;

    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromMinutes(30);

    public TimeSpan TaskQueuedTime { get; init; } = TimeSpan.FromMilliseconds(30);

    public TimeSpan TaskRunTime { get; init; } = TimeSpan.FromMilliseconds(150);

    /// <summary>Every request waits this long before it is answered (settable later with SetLatency).</summary>
    public TimeSpan RequestLatency { get; init; } = TimeSpan.Zero;

    /// <summary>The clock of token expiry, task durations, latency and outage windows.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>VM name → the directory standing for that VM's root (its /dev/disk and SCSI sysfs), for node emulation.</summary>
    public IReadOnlyDictionary<string, string> EmulatedNodes { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The emulated VMs have disk.enableUUID=TRUE, so their guests see each disk's UUID as its WWN
    /// (udev's by-id links). False stands for a VM without it: only the SCSI addresses tell disks apart.
    /// </summary>
    public bool GuestSeesDiskUuid { get; init; } = true;

    /// <summary>
    /// The query service's page size when a query names none: 25, the documented default of the
    /// typed query parameter pageSize.
    /// </summary>
    public int QueryDefaultPageSize { get; init; } = 25;

    /// <summary>
    /// The largest page the query service serves: 128 unless the provider changed it (the cell's
    /// restapi.queryservice.maxPageSize). A larger pageSize is served as this many records a page,
    /// and the answer's pageSize attribute says so; a client must follow nextPage, never assume.
    /// </summary>
    public int QueryMaxPageSize { get; init; } = 128;

    /// <summary>How a second attach of a non-shareable disk to another VM fails.</summary>
    public DoubleAttachBehaviour DoubleAttach { get; init; } = DoubleAttachBehaviour.BadRequest;
}

/// <summary>A VM of the simulated VDC.</summary>
public sealed record SimulatedVm(string Name, string VApp, bool PoweredOn);

/// <summary>What real vCD does with an attach of a disk attached elsewhere: refuse it, or accept a task that fails.</summary>
public enum DoubleAttachBehaviour
{
    BadRequest,
    TaskError,
}
