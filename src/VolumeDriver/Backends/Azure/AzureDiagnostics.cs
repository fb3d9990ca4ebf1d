using Azure;
using Azure.Identity;
using Azure.ResourceManager.Compute;
using Azure.ResourceManager.Resources;
using VolumeDriver.CloudCalls;
using VolumeDriver.Configuration;
using VolumeDriver.Domain;
using VolumeDriver.Errors;

namespace VolumeDriver.Backends.Azure;

/// <summary>
/// The Azure backend's doctor checks: azure.json reads and names an identity, that identity gets an
/// ARM token from the cloud's authority, the resource group is readable through ARM, and this node's
/// VM is found by its name. Nothing is changed.
/// </summary>
internal sealed class AzureDiagnostics : IBackendDiagnostics
{
    private readonly AzureConfiguration _configuration;
    private readonly Func<string, string?> _getEnvironmentVariable;
    private readonly NodeName _node;

    public AzureDiagnostics(AzureConfiguration configuration, Func<string, string?> getEnvironmentVariable, NodeName node)
    {
        _configuration = configuration;
        _getEnvironmentVariable = getEnvironmentVariable;
        _node = node;
    }

    public async Task<IReadOnlyList<DoctorCheck>> CheckAsync(CancellationToken cancellationToken)
    {
        AzureClients clients;
        try
        {
            clients = AzureClients.Create(_configuration, _getEnvironmentVariable, TimeProvider.System);
        }
        catch (ConfigurationException e)
        {
            return
            [
                DoctorCheck.Fail("credentials", e.Message, $"fix {_configuration.CloudConfigFile} (cloud-provider-azure's azure.json), or point azure.cloudConfig at it"),
                DoctorCheck.Skip("cloud API", "no credential"),
                DoctorCheck.Skip("node VM", "no credential"),
            ];
        }

        var cloud = clients.Cloud;
        var checks = new List<DoctorCheck>();
        try
        {
            await clients.GetArmTokenAsync(cancellationToken);
            checks.Add(DoctorCheck.Ok("credentials", $"{clients.Credential.Kind} got an ARM token from {cloud.Environment.ActiveDirectoryEndpoint} ({cloud.Environment.Name})"));
        }
        catch (AuthenticationFailedException e)
        {
            checks.Add(DoctorCheck.Fail("credentials", $"{clients.Credential.Kind} got no token from {cloud.Environment.ActiveDirectoryEndpoint}: {FirstLine(e.InnerException?.Message ?? e.Message)}", $"check the identity in {cloud.SourceFile} and that it exists in tenant {cloud.TenantId}"));
            checks.Add(DoctorCheck.Skip("cloud API", "no token"));
            checks.Add(DoctorCheck.Skip("node VM", "no token"));
            return checks;
        }

        try
        {
            var group = await clients.Arm.GetResourceGroupResource(ResourceGroupResource.CreateResourceIdentifier(cloud.SubscriptionId, cloud.ResourceGroup)).GetAsync(cancellationToken);
            checks.Add(DoctorCheck.Ok("cloud API", $"resource group {cloud.ResourceGroup} in subscription {cloud.SubscriptionId} is readable at {cloud.Environment.ResourceManagerEndpoint} ({group.Value.Data.Location})"));
        }
        catch (RequestFailedException e)
        {
            checks.Add(DoctorCheck.Fail("cloud API", $"ARM answered {e.Status} {e.ErrorCode} for resource group {cloud.ResourceGroup}: {FirstLine(e.Message)}", "check subscriptionId and resourceGroup in azure.json, and that the identity has a role on the group"));
        }

        AzureNodeVm? target = null;
        try
        {
            target = AzureNodeVm.For(_node, cloud, clients.Arm, clients.TimeProvider);
            if (await target.GetAsync(cancellationToken) is { } vm)
            {
                checks.Add(vm.UnmanagedOsDisk
                    ? DoctorCheck.Fail("node VM", $"node {_node.Value} is {target.Describe()}, which boots from an unmanaged (blob VHD) OS disk", "Azure attaches no managed disk to a VM with blob-based disks; use blob disks (kind shared or dedicated) on this node")
                    : DoctorCheck.Ok("node VM", $"node {_node.Value} is {target.Describe()} with {vm.DataDisks.Count} data disk(s)"));
            }
            else
            {
                checks.Add(DoctorCheck.Fail("node VM", $"resource group {cloud.ResourceGroup} has no {target.Describe()}", "the node name must be the VM's name, or with vmType vmss its instance's computer name (set nodeName in the configuration if it differs)"));
            }
        }
        catch (Exception e) when (e is RequestFailedException or CloudRequestException or DiskOperationException)
        {
            checks.Add(DoctorCheck.Fail("node VM", $"cannot read {target?.Describe() ?? "the VM of node " + _node.Value}: {FirstLine(e.Message)}", "the node name must be the VM's name, or with vmType vmss its instance's computer name (set nodeName in the configuration if it differs)"));
        }

        return checks;
    }

    /// <summary>The SDK's message without its troubleshooting links and traces: the lines that say what happened.</summary>
    private static string FirstLine(string text)
    {
        var lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)
            .TakeWhile(l => !l.StartsWith("See the troubleshooting", StringComparison.Ordinal) && !l.StartsWith("Trace ID", StringComparison.Ordinal) && !l.StartsWith("Status:", StringComparison.Ordinal));
        var joined = string.Join(' ', lines);
        return joined.Length <= 400 ? joined : joined[..400] + "…";
    }
}
