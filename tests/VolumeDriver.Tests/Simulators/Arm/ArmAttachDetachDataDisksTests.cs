using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Simulators.Arm;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Simulators.Arm;

/// <summary>
/// The ARM double's POST attachDetachDataDisks over raw HTTP (through an authenticated pipeline):
/// 202 with Location and Azure-AsyncOperation, a LUN chosen when none is given, detach and attach in
/// one operation, the storage profile as the operation's result, and managedBy following it.
/// </summary>
public sealed class ArmAttachDetachDataDisksTests : IAsyncLifetime
{
    private AzureStackTestBed _bed = null!;
    private HttpPipeline _pipeline = null!;

    public async Task InitializeAsync()
    {
        _bed = await AzureStackTestBed.StartAsync().WithTimeout();
        _pipeline = _bed.Clients(_bed.Configuration()).CreateArmPipeline();
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync().WithTimeout();

    private ArmSimulator Arm => _bed.Arm;

    private string DiskId(string name) => $"/subscriptions/{Arm.Options.SubscriptionId}/resourceGroups/{Arm.Options.ResourceGroup}/providers/Microsoft.Compute/disks/{name}";

    [Fact]
    public async Task AttachAndDetach_RunAsOneOperation_WhoseResultIsTheStorageProfile()
    {
        Arm.SeedDisk("d1", 1);
        Arm.SeedDisk("d2", 1);

        var first = await PostAsync("node-1", new JsonObject { ["dataDisksToAttach"] = new JsonArray(new JsonObject { ["diskId"] = DiskId("d1"), ["caching"] = "ReadOnly" }) }).WithTimeout();
        Assert.Equal("node-1", Arm.Disks().Single(d => d.Name == "d1").AttachedTo);
        Assert.Equal(0, first["dataDisks"]![0]!["lun"]!.GetValue<int>());
        Assert.Equal("ReadOnly", first["dataDisks"]![0]!["caching"]!.GetValue<string>());

        var second = await PostAsync("node-1", new JsonObject
        {
            ["dataDisksToAttach"] = new JsonArray(new JsonObject { ["diskId"] = DiskId("d2"), ["lun"] = 5 }),
            ["dataDisksToDetach"] = new JsonArray(new JsonObject { ["diskId"] = DiskId("d1") }),
        }).WithTimeout();

        var disks = second["dataDisks"]!.AsArray();
        Assert.Equal(("d2", 5), (Assert.Single(disks)!["name"]!.GetValue<string>(), disks[0]!["lun"]!.GetValue<int>()));
        Assert.Null(Arm.Disks().Single(d => d.Name == "d1").AttachedTo);
        Assert.Equal(("node-1", 5), (Arm.Disks().Single(d => d.Name == "d2").AttachedTo, Arm.Disks().Single(d => d.Name == "d2").Lun));
    }

    [Fact]
    public async Task AnEmptyRequest_IsInvalidParameter_AndAnUnknownVmNotFound()
    {
        Assert.Equal(400, (await SendAsync("node-1", new JsonObject()).WithTimeout()).Status);
        Assert.Equal(404, (await SendAsync("no-such-vm", new JsonObject { ["dataDisksToDetach"] = new JsonArray(new JsonObject { ["diskId"] = DiskId("d1") }) }).WithTimeout()).Status);
    }

    /// <summary>POSTs, checks the 202 and its headers, follows Azure-AsyncOperation to Succeeded, and returns what the Location answers.</summary>
    private async Task<JsonObject> PostAsync(string vm, JsonObject body)
    {
        var response = await SendAsync(vm, body).WithTimeout();
        Assert.Equal(202, response.Status);
        Assert.True(response.Headers.TryGetValue("Location", out var location));
        Assert.True(response.Headers.TryGetValue("Azure-AsyncOperation", out var operation));
        var deadline = DateTimeOffset.UtcNow.AddSeconds(20);
        while (true)
        {
            var status = JsonNode.Parse((await GetAsync(operation!).WithTimeout()).Content)!["status"]!.GetValue<string>();
            if (status == "Succeeded")
            {
                break;
            }

            Assert.Equal("InProgress", status);
            Assert.True(DateTimeOffset.UtcNow < deadline, "the operation did not end");
            await Task.Delay(50);
        }

        var result = await GetAsync(location!).WithTimeout();
        Assert.Equal(200, result.Status);
        return JsonNode.Parse(result.Content)!.AsObject();
    }

    private async Task<RawResponse> SendAsync(string vm, JsonObject body)
    {
        using var message = _pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Post;
        message.Request.Uri.Reset(new Uri(Arm.BaseUri, $"subscriptions/{Arm.Options.SubscriptionId}/resourceGroups/{Arm.Options.ResourceGroup}/providers/Microsoft.Compute/virtualMachines/{vm}/attachDetachDataDisks?api-version=2024-03-01"));
        message.Request.Headers.SetValue("Content-Type", "application/json");
        message.Request.Content = RequestContent.Create(BinaryData.FromString(body.ToJsonString()));
        await _pipeline.SendAsync(message, CancellationToken.None).WithTimeout();
        return RawResponse.Of(message.Response);
    }

    private async Task<RawResponse> GetAsync(string url)
    {
        using var message = _pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Get;
        message.Request.Uri.Reset(new Uri(url));
        await _pipeline.SendAsync(message, CancellationToken.None).WithTimeout();
        return RawResponse.Of(message.Response);
    }

    /// <summary>What a test reads of a response, copied before the message is disposed.</summary>
    private sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, string Content)
    {
        public static RawResponse Of(Response response) =>
            new(response.Status, response.Headers.ToDictionary(h => h.Name, h => h.Value, StringComparer.OrdinalIgnoreCase), response.Content.ToString());
    }
}
