namespace Simulators.VCloud;

/// <summary>An independent disk as the double keeps it. Mutated only under the state lock.</summary>
internal sealed class SimDisk
{
    public required string Id { get; init; }

    public required string Name { get; set; }

    public required long SizeMb { get; set; }

    public required string Uuid { get; init; }

    public required string StorageProfile { get; init; }

    public required string BusType { get; init; }

    public required string BusSubType { get; init; }

    public bool Shareable { get; init; }

    public string Description { get; init; } = string.Empty;

    /// <summary>VMs listed in attachedVms. A detach removes its VM here when the task starts (the drain race).</summary>
    public List<SimVmState> AttachedVms { get; } = [];

    /// <summary>A task (create, detach, delete, resize) that holds the disk.</summary>
    public SimTask? BusyWith { get; set; }

    /// <summary>-1 could not be created, 0 not ready (being created), 1 resolved.</summary>
    public int Status { get; set; }
}

/// <summary>A VM as the double keeps it.</summary>
internal sealed class SimVmState
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required string VApp { get; init; }

    public required string VAppId { get; init; }

    public bool PoweredOn { get; set; }

    /// <summary>Independent disks on the VM: disk id → SCSI unit on bus 1.</summary>
    public Dictionary<string, int> DiskUnits { get; } = new(StringComparer.Ordinal);

    /// <summary>The task that holds the VM: another attach/detach meets BUSY_ENTITY.</summary>
    public SimTask? BusyWith { get; set; }
}

/// <summary>A vCD task: queued, then running, then success or error.</summary>
internal sealed class SimTask
{
    public required string Id { get; init; }

    public required string OperationName { get; init; }

    public required string Operation { get; init; }

    public required string OwnerHref { get; init; }

    public required string OwnerName { get; init; }

    public required string OwnerType { get; init; }

    public string Status { get; set; } = "queued";

    public DateTimeOffset StartTime { get; init; }

    public DateTimeOffset? EndTime { get; set; }

    public string? ErrorMessage { get; set; }

    public string? ErrorMinorCode { get; set; }

    public int Progress { get; set; }

    /// <summary>The user who started the task and the org, for the Task's User and Organization references.</summary>
    public required string UserName { get; init; }

    public required string UserId { get; init; }

    public required string OrgName { get; init; }

    public required string OrgId { get; init; }
}

/// <summary>A session token.</summary>
internal sealed record SimToken(string User, DateTimeOffset Expires, bool Bearer);
