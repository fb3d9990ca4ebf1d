using System.Text.Json.Nodes;

namespace Simulators.Arm;

/// <summary>A managed disk as the double keeps it (ARM's Microsoft.Compute/disks shape).</summary>
internal sealed class ArmDisk
{
    public required string Name { get; init; }

    public required string Sku { get; set; }

    public required int SizeGb { get; set; }

    /// <summary>The exact size when it is no whole number of GiB (an imported VHD's virtual size), else null.</summary>
    public long? SizeBytes { get; set; }

    /// <summary>properties.creationData as the create gave it (createOption Empty, or Import with sourceUri and storageAccountId).</summary>
    public JsonObject CreationData { get; init; } = new() { ["createOption"] = "Empty" };

    public required string Location { get; init; }

    public string? ManagedBy { get; set; }

    public string ProvisioningState { get; set; } = "Updating";

    public JsonObject Tags { get; set; } = [];

    public JsonArray? Zones { get; set; }

    public string UniqueId { get; } = Guid.NewGuid().ToString();

    public DateTimeOffset Created { get; } = DateTimeOffset.UtcNow;

    /// <summary>properties.LastOwnershipUpdateTime: when managedBy last changed (ARM spells it with a capital L).</summary>
    public DateTimeOffset? OwnershipChanged { get; set; }
}

/// <summary>
/// A data disk entry of a VM's storageProfile: a managed disk (ManagedDiskId), or a blob disk (VhdUri,
/// ManagedDiskId empty); DetachOption as the update set it (ForceDetach).
/// </summary>
internal sealed record ArmDataDisk(int Lun, string Name, string Caching, string ManagedDiskId, bool ToBeDetached, string? VhdUri = null, string? DetachOption = null);

/// <summary>A VM: its data disks, and the update that runs on it.</summary>
internal sealed class ArmVm
{
    public required string Name { get; init; }

    public required string VmId { get; init; }

    /// <summary>The scale set this VM is an instance of (then <see cref="Name"/> is its computer name), or null for a standalone VM.</summary>
    public string? ScaleSet { get; init; }

    /// <summary>The instance id within <see cref="ScaleSet"/>.</summary>
    public string? InstanceId { get; init; }

    /// <summary>The OS disk is a blob VHD (storageProfile.osDisk.vhd): ARM refuses managed data disks on such a VM.</summary>
    public bool UnmanagedOsDisk { get; init; }

    public List<ArmDataDisk> DataDisks { get; set; } = [];

    public ArmOperation? Updating { get; set; }

    /// <summary>identity.type as ARM spells it ("SystemAssigned", "UserAssigned", "SystemAssigned, UserAssigned"), or null for none.</summary>
    public string? Identity { get; init; }

    /// <summary>The principal of the system-assigned identity, and of the user-assigned one (with its client id).</summary>
    public string SystemPrincipalId { get; } = Guid.NewGuid().ToString();

    public string UserPrincipalId { get; } = Guid.NewGuid().ToString();

    public string UserClientId { get; } = Guid.NewGuid().ToString();

    /// <summary>The etag's number: ARM answers etag "\"N\"" and counts each completed update.</summary>
    public int Version { get; set; } = 1;

    public DateTimeOffset Created { get; } = DateTimeOffset.UtcNow;

    public DateTimeOffset Modified { get; set; } = DateTimeOffset.UtcNow;
}

/// <summary>A long-running operation: InProgress until it ends, then Succeeded, Failed or Canceled.</summary>
internal sealed class ArmOperation
{
    public required string Id { get; init; }

    public required string Kind { get; init; }

    public string Status { get; set; } = "InProgress";

    public DateTimeOffset Start { get; } = DateTimeOffset.UtcNow;

    public DateTimeOffset? End { get; set; }

    public JsonObject? Error { get; set; }

    /// <summary>The resource the operation's Location answers with once it succeeds.</summary>
    public Func<JsonNode?>? Result { get; init; }
}
