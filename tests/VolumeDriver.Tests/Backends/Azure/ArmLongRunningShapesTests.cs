using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.ResourceManager.Compute.Models;
using Simulators.Arm;
using VolumeDriver.Backends.Azure;
using VolumeDriver.Domain;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Backends.Azure;

/// <summary>
/// The driver's VM updates (AzureNodeVm, through the SDK the driver builds) against each answer the
/// specification allows: a VM's PUT answered 200 with Azure-AsyncOperation
/// (VirtualMachines_CreateOrUpdate); a scale-set VM's PUT answered 202 with Location and Retry-After,
/// or 200 still Updating with no operation header (VirtualMachineScaleSetVMs_Update's two responses);
/// a 429 whose Retry-After the client waits; and the call-rate headers ARM and Compute send.
/// </summary>
public sealed class ArmLongRunningShapesTests : IAsyncLifetime
{
    private AzureStackTestBed _bed = null!;

    public async Task InitializeAsync() =>
        _bed = await AzureStackTestBed.StartAsync(o => o with { ScaleSets = new Dictionary<string, int> { ["k8s-vmss"] = 2 }, OperationClock = new SkipAheadTimeProvider() }).WithTimeout();

    public async Task DisposeAsync() => await _bed.DisposeAsync().WithTimeout();

    private ArmSimulator Arm => _bed.Arm;

    [Fact]
    public async Task VmUpdate_AnsweredWithAzureAsyncOperation_IsFollowedToTheEnd()
    {
        var (state, after) = await UpdateAsync("node-1", AzureVmType.Standard, "shape-a").WithTimeout();

        Assert.Equal("shape-a", Assert.Single(state.DataDisks).Name);
        Assert.Contains(after, r => r.Method == "GET" && r.Path.Contains("/operations/", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(ScaleSetVmUpdateAnswer.AcceptedWithLocation)]
    [InlineData(ScaleSetVmUpdateAnswer.OkUpdating)]
    public async Task ScaleSetVmUpdate_EachPublishedAnswer_IsFollowedToTheVmItEndsWith(ScaleSetVmUpdateAnswer answer)
    {
        Arm.ScaleSetVmUpdates = answer;
        var node = ArmSimulator.ScaleSetComputerName("k8s-vmss", 1);

        var (state, after) = await UpdateAsync(node, AzureVmType.ScaleSet, "shape-" + (int)answer).WithTimeout();

        Assert.Equal("shape-" + (int)answer, Assert.Single(state.DataDisks).Name);
        Assert.Equal(node, Arm.Disks().Single().AttachedTo);
        if (answer == ScaleSetVmUpdateAnswer.AcceptedWithLocation)
        {
            // No Azure-AsyncOperation: the client can only have polled the Location.
            Assert.Contains(after, r => r.Method == "GET" && r.Path.Contains("/operations/", StringComparison.Ordinal));
        }
        else
        {
            Assert.DoesNotContain(after, r => r.Path.Contains("/operations/", StringComparison.Ordinal));
            Assert.Contains(after, r => r.Method == "GET" && r.Path.EndsWith("/virtualMachineScaleSets/k8s-vmss/virtualMachines/1", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A429_IsRetriedNoSoonerThanItsRetryAfter()
    {
        // The retry waits on the driver's clock, which here skips ahead: what it waited is what ARM
        // asked for (without Retry-After the first backoff would be 0.8 s ± 20 %); the waits after it
        // are the update's operation polls.
        var clock = new SkipAheadTimeProvider();
        Arm.FailNext("PUT", "/virtualMachines/node-2$", 1, 429, "OperationNotAllowed", retryAfterSeconds: 2);

        await UpdateAsync("node-2", AzureVmType.Standard, "shape-t", clock).WithTimeout();

        var puts = Arm.Received().Where(r => r.Method == "PUT" && r.Path.EndsWith("/virtualMachines/node-2", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, puts.Count);
        Assert.Equal(TimeSpan.FromSeconds(2), clock.Waits[0]);
        Assert.Equal(ArmOperationsTests.FallbackWaits(clock.Waits.Count - 1), clock.Waits.Skip(1));
    }

    [Fact]
    public async Task EveryAnswer_CarriesArmsAndComputesCallRateHeaders_CountingDown()
    {
        var pipeline = _bed.Clients(_bed.Configuration()).CreateArmPipeline();
        var vm = $"subscriptions/{Arm.Options.SubscriptionId}/resourceGroups/{Arm.Options.ResourceGroup}/providers/Microsoft.Compute/virtualMachines/node-1?api-version=2026-04-01";

        var first = await SendAsync(pipeline, RequestMethod.Get, vm).WithTimeout();
        var second = await SendAsync(pipeline, RequestMethod.Get, vm).WithTimeout();
        var put = await SendAsync(pipeline, RequestMethod.Put, vm, """{"location":"westeurope","properties":{"storageProfile":{"dataDisks":[]}}}""").WithTimeout();

        Assert.Matches(ComputePolicy("LowCostGet"), first["x-ms-ratelimit-remaining-resource"]);
        Assert.Equal(int.Parse(first["x-ms-ratelimit-remaining-subscription-reads"], System.Globalization.CultureInfo.InvariantCulture) - 1, int.Parse(second["x-ms-ratelimit-remaining-subscription-reads"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(Remaining(second, "LowCostGet3Min") < Remaining(first, "LowCostGet3Min"));
        Assert.Matches(ComputePolicy("PutVM"), put["x-ms-ratelimit-remaining-resource"]);
        Assert.True(put.ContainsKey("x-ms-ratelimit-remaining-subscription-writes"));
        Assert.Equal("1", put["x-ms-request-charge"]);
    }

    private static Regex ComputePolicy(string policy) => new($"^Microsoft\\.Compute/{policy}3Min;[0-9]+,Microsoft\\.Compute/{policy}30Min;[0-9]+$");

    private static int Remaining(IReadOnlyDictionary<string, string> headers, string policy) =>
        int.Parse(headers["x-ms-ratelimit-remaining-resource"].Split(',').Single(p => p.StartsWith("Microsoft.Compute/" + policy + ";", StringComparison.Ordinal)).Split(';')[1], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Attaches a new disk to the node's VM through AzureNodeVm's GET and sparse update; returns the VM
    /// it ended with and the requests from the update on. The driver's clock skips its waits unless a
    /// test gives its own.
    /// </summary>
    private async Task<(AzureVmState State, List<(DateTimeOffset At, string Method, string Path)> After)> UpdateAsync(string node, AzureVmType type, string disk, TimeProvider? time = null)
    {
        Arm.SeedDisk(disk, 1);
        var clients = _bed.Clients(_bed.Configuration(node, vmType: type == AzureVmType.ScaleSet ? "vmss" : "standard"), time ?? new SkipAheadTimeProvider());
        var vm = AzureNodeVm.For(NodeName.TryCreate(node, out var name, out _) ? name.Value : throw new ArgumentException(node), clients.Cloud, clients.Arm, clients.TimeProvider);
        var before = await vm.GetAsync(CancellationToken.None).WithTimeout() ?? throw new InvalidOperationException(node + ": no VM");
        var from = Arm.Received().Count;
        var id = new ResourceIdentifier($"/subscriptions/{Arm.Options.SubscriptionId}/resourceGroups/{Arm.Options.ResourceGroup}/providers/Microsoft.Compute/disks/{disk}");

        var state = await vm.UpdateDataDisksAsync(before.Location, [new VirtualMachineDataDisk(0, DiskCreateOptionType.Attach) { Name = disk, ManagedDisk = new VirtualMachineManagedDisk { Id = id } }], CancellationToken.None).WithTimeout();

        return (state, Arm.Received().Skip(from).ToList());
    }

    private async Task<IReadOnlyDictionary<string, string>> SendAsync(HttpPipeline pipeline, RequestMethod method, string path, string? body = null)
    {
        using var message = pipeline.CreateMessage();
        message.Request.Method = method;
        message.Request.Uri.Reset(new Uri(Arm.BaseUri, path));
        if (body is not null)
        {
            message.Request.Headers.SetValue("Content-Type", "application/json");
            message.Request.Content = RequestContent.Create(BinaryData.FromString(body));
        }

        await pipeline.SendAsync(message, CancellationToken.None).AsTask().WithTimeout();
        Assert.True(message.Response.Status is 200 or 202, $"{method} {path}: {message.Response.Status} {message.Response.Content}");
        return message.Response.Headers.ToDictionary(h => h.Name, h => h.Value, StringComparer.OrdinalIgnoreCase);
    }
}
