using System.Globalization;
using Azure;
using Azure.Core;
using Azure.ResourceManager;
using Azure.ResourceManager.Compute;
using Azure.ResourceManager.Compute.Models;
using Azure.ResourceManager.Resources;
using VolumeDriver.Domain;
using VolumeDriver.Errors;

namespace VolumeDriver.Backends.Azure;

/// <summary>
/// The VM a Kubernetes node runs on, as ARM addresses it: a standalone VM (<c>vmType: standard</c>,
/// <c>virtualMachines/{node}</c>) or a scale-set instance (<c>vmType: vmss</c>,
/// <c>virtualMachineScaleSets/{ss}/virtualMachines/{instanceId}</c>). Both take the same sparse
/// update of storageProfile.dataDisks; only the resource and its SDK type differ, and the id is
/// what a disk's managedBy names.
/// </summary>
internal abstract class AzureNodeVm
{
    private protected AzureNodeVm(NodeName node, ResourceIdentifier id)
    {
        Node = node;
        Id = id;
    }

    public NodeName Node { get; }

    /// <summary>The VM's resource id: what managedBy of a disk attached to it says.</summary>
    public ResourceIdentifier Id { get; }

    /// <summary>For messages: "VM 'node-1'" or "scale-set instance k8s-vmss/3 (node ...)".</summary>
    public abstract string Describe();

    /// <summary>The VM, or null when ARM has no such VM.</summary>
    public abstract Task<AzureVmState?> GetAsync(CancellationToken cancellationToken);

    /// <summary>A sparse update carrying only the data disks; waits for the long-running operation and returns the VM after it.</summary>
    public abstract Task<AzureVmState> UpdateDataDisksAsync(AzureLocation location, IReadOnlyList<VirtualMachineDataDisk> dataDisks, CancellationToken cancellationToken);

    /// <summary>
    /// The node's VM under the configured vmType. A scale-set node's name is its instance's computer
    /// name: the scale set's name followed by the instance id in six base-36 digits
    /// (<c>k8s-agentpool-vmss00000a</c> is instance 10 of <c>k8s-agentpool-vmss</c>), which is how
    /// cloud-provider-azure reads it (getScaleSetVMInstanceID).
    /// </summary>
    /// <param name="timeProvider">The clock an update's long-running operation is waited on (<see cref="ArmOperations"/>).</param>
    public static AzureNodeVm For(NodeName node, AzureCloudConfig cloud, ArmClient arm, TimeProvider timeProvider)
    {
        if (cloud.VmType != AzureVmType.ScaleSet)
        {
            var group = arm.GetResourceGroupResource(ResourceGroupResource.CreateResourceIdentifier(cloud.SubscriptionId, cloud.ResourceGroup));
            return new StandaloneVm(node, arm.GetVirtualMachineResource(VirtualMachineResource.CreateResourceIdentifier(cloud.SubscriptionId, cloud.ResourceGroup, node.Value)), group.GetVirtualMachines(), timeProvider);
        }

        var name = node.Value;
        if (name.Length <= 6 || !TryParseBase36(name[^6..], out var instance))
        {
            throw new DiskOperationException($"node '{name}' is not named like a scale-set instance (the scale set's name and a six-digit base-36 instance id, e.g. k8s-agentpool-vmss000003), but azure.json says vmType vmss");
        }

        var id = VirtualMachineScaleSetVmResource.CreateResourceIdentifier(cloud.SubscriptionId, cloud.ResourceGroup, name[..^6], instance.ToString(CultureInfo.InvariantCulture));
        return new ScaleSetInstance(node, arm.GetVirtualMachineScaleSetVmResource(id), timeProvider);
    }

    /// <summary>The sparse body's data disk for an entry read from the VM: only what an update may carry.</summary>
    public static VirtualMachineDataDisk Carried(VirtualMachineDataDisk disk) => new(disk.Lun, DiskCreateOptionType.Attach)
    {
        Name = disk.Name,
        Caching = disk.Caching,
        ManagedDisk = disk.ManagedDisk is { Id: { } id } ? new VirtualMachineManagedDisk { Id = id } : null,
        VhdUri = disk.VhdUri,
        ToBeDetached = disk.ToBeDetached,
        WriteAcceleratorEnabled = disk.WriteAcceleratorEnabled,
    };

    private static bool TryParseBase36(string digits, out long value)
    {
        value = 0;
        foreach (var c in digits.ToLowerInvariant())
        {
            var digit = c is >= '0' and <= '9' ? c - '0' : c is >= 'a' and <= 'z' ? c - 'a' + 10 : -1;
            if (digit < 0)
            {
                return false;
            }

            value = (value * 36) + digit;
        }

        return true;
    }

    /// <summary>The storage profile of a sparse update: the data disks and nothing else, so ARM leaves the rest as it is.</summary>
    private static VirtualMachineStorageProfile DataDisksOnly(IReadOnlyList<VirtualMachineDataDisk> dataDisks)
    {
        var profile = new VirtualMachineStorageProfile();
        foreach (var disk in dataDisks)
        {
            profile.DataDisks.Add(disk);
        }

        return profile;
    }

    private static AzureVmState StateOf(AzureLocation location, VirtualMachineStorageProfile? storage, string? computerName) => new(
        location,
        storage?.DataDisks.ToList() ?? [],
        storage?.OSDisk is { VhdUri: not null, ManagedDisk: null },
        computerName);

    private sealed class StandaloneVm(NodeName node, VirtualMachineResource vm, VirtualMachineCollection group, TimeProvider timeProvider) : AzureNodeVm(node, vm.Id)
    {
        public override string Describe() => $"VM '{Node.Value}'";

        public override async Task<AzureVmState?> GetAsync(CancellationToken cancellationToken)
        {
            var data = (await ArmCalls.GetOrNullAsync(() => vm.GetAsync(cancellationToken: cancellationToken)))?.Data;
            return data is null ? null : StateOf(data.Location, data.StorageProfile, data.OSProfile?.ComputerName);
        }

        /// <summary>A PUT of the sparse body (the in-tree plugin's and the CSI driver's call); ARM leaves every other property as it is.</summary>
        public override async Task<AzureVmState> UpdateDataDisksAsync(AzureLocation location, IReadOnlyList<VirtualMachineDataDisk> dataDisks, CancellationToken cancellationToken)
        {
            var sparse = new VirtualMachineData(location) { StorageProfile = DataDisksOnly(dataDisks) };
            var operation = await group.CreateOrUpdateAsync(WaitUntil.Started, vm.Id.Name, sparse, cancellationToken: cancellationToken);
            var data = (await ArmOperations.WaitForCompletionAsync(operation, timeProvider, cancellationToken)).Data;
            return StateOf(data.Location, data.StorageProfile, data.OSProfile?.ComputerName);
        }
    }

    private sealed class ScaleSetInstance(NodeName node, VirtualMachineScaleSetVmResource instance, TimeProvider timeProvider) : AzureNodeVm(node, instance.Id)
    {
        public override string Describe() => $"scale-set instance {instance.Id.Parent?.Name}/{instance.Id.Name} (node '{Node.Value}')";

        public override async Task<AzureVmState?> GetAsync(CancellationToken cancellationToken)
        {
            if ((await ArmCalls.GetOrNullAsync(() => instance.GetAsync(cancellationToken: cancellationToken)))?.Data is not { } data)
            {
                return null;
            }

            var state = StateOf(data.Location, data.StorageProfile, data.OSProfile?.ComputerName);

            // The name was derived from the node's name; the instance must agree, or another node's disks would change.
            return state.ComputerName is { } computer && !computer.Equals(Node.Value, StringComparison.OrdinalIgnoreCase)
                ? throw new DiskOperationException($"{Describe()} has the computer name '{computer}', not '{Node.Value}'; the node name must be its instance's computer name")
                : state;
        }

        public override async Task<AzureVmState> UpdateDataDisksAsync(AzureLocation location, IReadOnlyList<VirtualMachineDataDisk> dataDisks, CancellationToken cancellationToken)
        {
            var sparse = new VirtualMachineScaleSetVmData(location) { StorageProfile = DataDisksOnly(dataDisks) };
            var operation = await instance.UpdateAsync(WaitUntil.Started, sparse, cancellationToken);
            var data = (await ArmOperations.WaitForCompletionAsync(operation, timeProvider, cancellationToken)).Data;
            return StateOf(data.Location, data.StorageProfile, data.OSProfile?.ComputerName);
        }
    }
}
