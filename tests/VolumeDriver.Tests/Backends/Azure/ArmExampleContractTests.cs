using System.ClientModel.Primitives;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.ResourceManager;
using Azure.ResourceManager.Compute;
using Azure.ResourceManager.Compute.Models;
using Azure.ResourceManager.Resources;
using VolumeDriver.Backends.Azure;
using VolumeDriver.Domain;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Backends.Azure;

/// <summary>
/// The published example responses of the ARM compute operations the driver calls
/// (TestData/ArmExamples, copied from Azure/azure-rest-api-specs; see its README) replayed through
/// our client code: every response body parses into the SDK model with the source-generated
/// ModelReaderWriter context (reflection-based JSON is off, as in the shipped binary), the fields the
/// driver reads come out as the JSON says, and the VM, scale-set VM and disk calls the driver makes
/// (AzureNodeVm's GET and sparse update, the disk GET, create, update and delete with their
/// long-running operations) read those responses served over HTTP.
/// </summary>
public sealed partial class ArmExampleContractTests
{
    private const string Subscription = "00000000-1111-2222-3333-444444444444";
    private const string Group = "myResourceGroup";

    private static readonly string ExamplesDirectory = Path.Join(AppContext.BaseDirectory, "TestData", "ArmExamples");

    /// <summary>Every example file with every status code whose response has a body.</summary>
    public static TheoryData<string, string> ResponseBodies()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in Directory.EnumerateFiles(ExamplesDirectory, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            foreach (var (status, response) in Example(file)["responses"]!.AsObject())
            {
                if (response?["body"] is not null)
                {
                    data.Add(Path.GetRelativePath(ExamplesDirectory, file), status);
                }
            }
        }

        return data;
    }

    /// <summary>The compute operations the driver calls (AzureNodeVm, AzureManagedDiskBackend), by the specification's operationId.</summary>
    private static readonly string[] CalledOperations =
    [
        "VirtualMachines_Get", "VirtualMachines_CreateOrUpdate",
        "VirtualMachineScaleSetVMs_Get", "VirtualMachineScaleSetVMs_Update",
        "Disks_Get", "Disks_CreateOrUpdate", "Disks_Update", "Disks_Delete", "Disks_ListByResourceGroup",
    ];

    [Fact]
    public void TheExamplesCoverEveryComputeOperationTheDriverCalls_AndThoseTheDoubleServesBeyond()
    {
        var operations = Directory.EnumerateFiles(ExamplesDirectory, "*.json", SearchOption.AllDirectories)
            .Select(f => OperationOf(f, Example(f)))
            .ToHashSet(StringComparer.Ordinal);

        // The double also serves attachDetachDataDisks, and VirtualMachines_List holds the VM's MaximumSet shape.
        Assert.Empty(CalledOperations.Concat(["VirtualMachines_AttachDetachDataDisks", "VirtualMachines_List"]).Except(operations));
    }

    /// <summary>
    /// The api-versions Azure.ResourceManager.Compute sends for each call the driver makes, as the
    /// folders of TestData/ArmExamples say (compute-2026-04-01; the disks' examples are of the
    /// newest complete Disk RP set the spec mirror holds, see the README): a package update that
    /// moves a version fails here, and the examples must follow.
    /// </summary>
    [Fact]
    public async Task TheSdkCallsTheApiVersionsTheExamplesAreOf()
    {
        var vm = Body("compute-2026-04-01/VirtualMachine_Get.json", "200");
        var instance = Body("compute-2026-04-01/VirtualMachineScaleSetVM_Get_WithUserData.json", "200");
        var disk = Body("disks-2025-01-02/Disk_Get.json", "200");
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        using var arm = new StubArm((request, uri) =>
        {
            var path = uri.AbsolutePath;
            var kind = path.Contains("/virtualMachineScaleSets/", StringComparison.Ordinal) ? "scale-set VM" : path.Contains("/virtualMachines/", StringComparison.Ordinal) ? "VM" : "disk";
            seen[$"{request.Method} {kind}"] = System.Web.HttpUtility.ParseQueryString(request.RequestUri!.Query)["api-version"] ?? "none";
            return (request.Method.Method, kind) switch
            {
                (_, "VM") => (200, vm, null),
                (_, "scale-set VM") => (200, instance, null),
                ("DELETE", _) => (200, null, null),
                ("GET", _) when path.EndsWith("/disks", StringComparison.Ordinal) => (200, new JsonObject { ["value"] = new JsonArray() }, null),
                _ => (200, disk, null),
            };
        });
        var node = arm.Vm("myVM", AzureVmType.Standard);
        await node.UpdateDataDisksAsync((await node.GetAsync(CancellationToken.None).WithTimeout())!.Location, [], CancellationToken.None).WithTimeout();
        var scaleSetVm = arm.Vm(instance["properties"]!["osProfile"]!["computerName"]!.GetValue<string>(), AzureVmType.ScaleSet);
        await scaleSetVm.UpdateDataDisksAsync((await scaleSetVm.GetAsync(CancellationToken.None).WithTimeout())!.Location, [], CancellationToken.None).WithTimeout();
        var disks = arm.Client.GetResourceGroupResource(ResourceGroupResource.CreateResourceIdentifier(Subscription, Group)).GetManagedDisks();
        var managed = (await disks.GetAsync("myManagedDisk").WithTimeout()).Value;
        await disks.CreateOrUpdateAsync(WaitUntil.Completed, "myManagedDisk", new ManagedDiskData(new AzureLocation("westus")) { DiskSizeGB = 10, CreationData = new DiskCreationData(DiskCreateOption.Empty) }).WithTimeout();
        await managed.UpdateAsync(WaitUntil.Completed, new ManagedDiskPatch { DiskSizeGB = 20 }).WithTimeout();
        await managed.DeleteAsync(WaitUntil.Completed).WithTimeout();
        await disks.GetAllAsync().ToListAsync().AsTask().WithTimeout();

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["GET VM"] = "2026-04-01", ["PUT VM"] = "2026-04-01", ["GET scale-set VM"] = "2026-04-01", ["PUT scale-set VM"] = "2026-04-01",
                ["GET disk"] = "2026-03-02", ["PUT disk"] = "2026-03-02", ["PATCH disk"] = "2026-03-02", ["DELETE disk"] = "2026-03-02",
            },
            new Dictionary<string, string>(seen));
    }

    [Theory]
    [MemberData(nameof(ResponseBodies))]
    public void EveryPublishedResponseBody_ParsesWithTheFieldsTheDriverReads(string file, string status)
    {
        var example = Example(Path.Join(ExamplesDirectory, file));
        var body = example["responses"]![status]!["body"]!.AsObject();
        switch (OperationOf(file, example))
        {
            case "VirtualMachines_Get" or "VirtualMachines_CreateOrUpdate" or "VirtualMachines_Update":
                // VirtualMachines_Update (PATCH) is not called, but its examples show toBeDetached and detachOption as ARM returns them.
                AssertVm(body);
                break;
            case "VirtualMachines_List":
                Assert.NotEmpty(body["value"]!.AsArray());
                foreach (var vm in body["value"]!.AsArray())
                {
                    AssertVm(vm!.AsObject());
                }

                break;
            case "VirtualMachines_AttachDetachDataDisks":
                AssertDataDisks(body["dataDisks"]?.AsArray(), Read<VirtualMachineStorageProfile>(body).DataDisks);
                break;
            case "VirtualMachineScaleSetVMs_Get" or "VirtualMachineScaleSetVMs_Update":
                var instance = Read<VirtualMachineScaleSetVmData>(body);
                Assert.Equal(new AzureLocation(body["location"]!.GetValue<string>()), instance.Location);
                Assert.Equal(body["id"]?.GetValue<string>(), instance.Id?.ToString());
                AssertDataDisks(body["properties"]?["storageProfile"]?["dataDisks"]?.AsArray(), instance.StorageProfile?.DataDisks ?? []);
                Assert.Equal(body["properties"]?["osProfile"]?["computerName"]?.GetValue<string>(), instance.OSProfile?.ComputerName);
                Assert.Equal(body["etag"]?.GetValue<string>(), instance.ETag?.ToString());
                break;
            case "Disks_Get" or "Disks_CreateOrUpdate" or "Disks_Update":
                AssertDisk(body);
                break;
            case "Disks_ListByResourceGroup":
                Assert.NotEmpty(body["value"]!.AsArray());
                foreach (var disk in body["value"]!.AsArray())
                {
                    AssertDisk(disk!.AsObject());
                }

                break;
            case var other:
                Assert.Fail($"{file}: no model is known for operation {other}");
                break;
        }
    }

    [Fact]
    public async Task VmGet_OfEachPublishedVm_ThroughAzureNodeVm_ReadsItsDataDisksAndOsDisk()
    {
        foreach (var (file, status) in Bodies("VirtualMachines_Get", "VirtualMachines_CreateOrUpdate"))
        {
            var body = Example(file)["responses"]![status]!["body"]!.AsObject();
            using var arm = new StubArm((request, _) => request.Method == HttpMethod.Get ? (200, body, null) : null);
            var state = await arm.Vm("node-1", AzureVmType.Standard).GetAsync(CancellationToken.None).WithTimeout();

            Assert.NotNull(state);
            AssertDataDisks(body["properties"]?["storageProfile"]?["dataDisks"]?.AsArray(), state.DataDisks);
            Assert.Equal(body["properties"]?["storageProfile"]?["osDisk"]?["vhd"] is not null && body["properties"]?["storageProfile"]?["osDisk"]?["managedDisk"] is null, state.UnmanagedOsDisk);
            Assert.Equal(body["properties"]?["osProfile"]?["computerName"]?.GetValue<string>(), state.ComputerName);
        }
    }

    [Fact]
    public async Task VmUpdate_AnsweredAsPublished_ThroughAzureNodeVm_EndsWithTheVmArmReturns()
    {
        var done = Body("compute-2026-04-01/VirtualMachine_Get_WithVMSizeProperties.json", "200");
        foreach (var (file, status) in Bodies("VirtualMachines_CreateOrUpdate"))
        {
            var answer = Example(file)["responses"]![status]!["body"]!.AsObject();

            // A PUT answered with a body still Creating or Updating is followed by GETs of the VM until it ends (ARM's rule without an async header).
            using var arm = new StubArm((request, _) => request.Method == HttpMethod.Put ? (int.Parse(status, System.Globalization.CultureInfo.InvariantCulture), answer, null) : (200, done, null));
            var state = await arm.Vm("node-1", AzureVmType.Standard).UpdateDataDisksAsync(new AzureLocation("westus"), [], CancellationToken.None).WithTimeout();

            var final = answer["properties"]?["provisioningState"]?.GetValue<string>() is "Succeeded" ? answer : done;
            AssertDataDisks(final["properties"]?["storageProfile"]?["dataDisks"]?.AsArray(), state.DataDisks);
        }
    }

    [Fact]
    public async Task ScaleSetVmGetAndUpdate_AnsweredAsPublished_ThroughAzureNodeVm()
    {
        var get = Body("compute-2026-04-01/VirtualMachineScaleSetVM_Get_WithUserData.json", "200");
        var computer = get["properties"]!["osProfile"]!["computerName"]!.GetValue<string>();
        foreach (var (file, status) in Bodies("VirtualMachineScaleSetVMs_Update"))
        {
            var answer = Example(file)["responses"]![status]!["body"]!.AsObject();
            var headers = Example(file)["responses"]![status]!["headers"]?.AsObject();
            // A 202 names a Location to poll; here it is the instance itself, which answers as GET does.
            using var arm = new StubArm((request, uri) => request.Method == HttpMethod.Put
                ? (int.Parse(status, System.Globalization.CultureInfo.InvariantCulture), answer, headers?["location"] is null ? null : new Dictionary<string, string> { ["Location"] = uri + "?api-version=2026-04-01" })
                : (200, get, null));
            var vm = arm.Vm(computer, AzureVmType.ScaleSet);

            var state = await vm.GetAsync(CancellationToken.None).WithTimeout();
            Assert.NotNull(state);
            AssertDataDisks(get["properties"]!["storageProfile"]!["dataDisks"]!.AsArray(), state.DataDisks);

            var updated = await vm.UpdateDataDisksAsync(state.Location, state.DataDisks.Select(AzureNodeVm.Carried).ToList(), CancellationToken.None).WithTimeout();
            Assert.Equal(state.Location, updated.Location);
        }
    }

    [Fact]
    public async Task DiskCalls_AnsweredAsPublished_ReadManagedByAndSize_AndTheirOperationsEnd()
    {
        var get = Body("disks-2025-01-02/Disk_Get.json", "200");
        var create = Example(Path.Join(ExamplesDirectory, "disks-2025-01-02/Disk_Create_Empty.json"))["responses"]!["202"]!["body"]!.AsObject();
        var update = Example(Path.Join(ExamplesDirectory, "disks-2025-01-02/Disk_Update_ChangeTier.json"))["responses"]!["202"]!.AsObject();
        using var arm = new StubArm((request, uri) => (request.Method.Method, request.RequestUri!.AbsolutePath) switch
        {
            ("PUT", _) => (202, create, null),
            ("PATCH", _) => (202, update["body"]!.AsObject(), new Dictionary<string, string> { ["Location"] = uri + "?api-version=2026-03-02" }),
            ("DELETE", _) => (202, null, new Dictionary<string, string> { ["Location"] = new Uri(uri, "/subscriptions/x/providers/Microsoft.Compute/locations/westus/operations/1?monitor=true&api-version=2026-03-02").ToString() }),
            ("GET", var path) when path.Contains("/operations/", StringComparison.Ordinal) => (200, null, null),
            _ => (200, get, null),
        });
        var disks = arm.Client.GetResourceGroupResource(ResourceGroupResource.CreateResourceIdentifier(Subscription, Group)).GetManagedDisks();

        var disk = (await disks.GetAsync("myManagedDisk").WithTimeout()).Value;
        Assert.Equal(get["managedBy"]!.GetValue<string>(), disk.Data.ManagedBy!.ToString());
        Assert.Equal(10, disk.Data.DiskSizeGB);

        // Created: 202 with the disk still Updating and no async header, so the SDK GETs the disk until it ends.
        var created = await disks.CreateOrUpdateAsync(WaitUntil.Completed, "myDisk", new ManagedDiskData(new AzureLocation("westus")) { DiskSizeGB = 200, CreationData = new DiskCreationData(DiskCreateOption.Empty) }).WithTimeout();
        Assert.Equal("Succeeded", created.Value.Data.ProvisioningState);

        var grown = await disk.UpdateAsync(WaitUntil.Completed, new ManagedDiskPatch { DiskSizeGB = 20 }).WithTimeout();
        Assert.True(grown.HasCompleted);

        var deleted = await disk.DeleteAsync(WaitUntil.Completed).WithTimeout();
        Assert.True(deleted.HasCompleted);
    }

    [Fact]
    public async Task DiskList_AnsweredAsPublished_ReadsEveryDiskOfEveryPage()
    {
        var page = Body("disks-2025-01-02/Disk_ListByResourceGroup.json", "200");

        // The example's nextLink is the Disk RP's internal http://disksvchost:99/...; ARM hands out
        // https links, and the SDK sends its token over https only.
        var next = new UriBuilder(page["nextLink"]!.GetValue<string>()) { Scheme = "https", Port = -1 }.Uri;
        page["nextLink"] = next.ToString();
        var requested = new List<Uri>();
        using var arm = new StubArm((request, _) =>
        {
            requested.Add(request.RequestUri!);
            // The nextLink names another host, as ARM's do; its page here is the last (no nextLink).
            return request.RequestUri!.Host == next.Host ? (200, new JsonObject { ["value"] = new JsonArray() }, null) : (200, page, null);
        });

        var disks = await arm.Client.GetResourceGroupResource(ResourceGroupResource.CreateResourceIdentifier(Subscription, Group)).GetManagedDisks().GetAllAsync().ToListAsync().AsTask().WithTimeout();

        Assert.Equal(page["value"]!.AsArray().Select(d => (d!["name"]!.GetValue<string>(), d["properties"]!["diskSizeGB"]!.GetValue<int>())), disks.Select(d => (d.Data.Name, d.Data.DiskSizeGB!.Value)));
        Assert.Equal(2, requested.Count);
        Assert.Equal(next.Host, requested[1].Host);
    }

    /// <summary>What the driver reads of a disk (name, managedBy, size, SKU, tags) and what tells its state (provisioningState, diskState, zones).</summary>
    private static void AssertDisk(JsonObject body)
    {
        var disk = Read<ManagedDiskData>(body);
        Assert.Equal(body["name"]?.GetValue<string>(), disk.Name);
        Assert.Equal(body["id"]?.GetValue<string>(), disk.Id?.ToString());
        Assert.Equal(body["managedBy"]?.GetValue<string>(), disk.ManagedBy?.ToString());
        Assert.Equal(body["properties"]?["diskSizeGB"]?.GetValue<int>(), disk.DiskSizeGB);
        Assert.Equal(body["sku"]?["name"]?.GetValue<string>(), disk.Sku?.Name?.ToString());
        Assert.Equal(body["properties"]?["provisioningState"]?.GetValue<string>(), disk.ProvisioningState);
        Assert.Equal(body["properties"]?["diskState"]?.GetValue<string>(), disk.DiskState?.ToString());
        Assert.Equal(body["zones"]?.AsArray().Select(z => z!.GetValue<string>()) ?? [], disk.Zones);
        Assert.Equal(body["tags"]?.AsObject().Select(t => (t.Key, t.Value!.GetValue<string>())) ?? [], disk.Tags.Select(t => (t.Key, t.Value)));
    }

    private static void AssertVm(JsonObject body)
    {
        var vm = Read<VirtualMachineData>(body);
        Assert.Equal(new AzureLocation(body["location"]!.GetValue<string>()), vm.Location);
        AssertDataDisks(body["properties"]?["storageProfile"]?["dataDisks"]?.AsArray(), vm.StorageProfile?.DataDisks ?? []);
        Assert.Equal(body["properties"]?["osProfile"]?["computerName"]?.GetValue<string>(), vm.OSProfile?.ComputerName);
        Assert.Equal(body["properties"]?["storageProfile"]?["osDisk"]?["vhd"]?["uri"]?.GetValue<string>(), vm.StorageProfile?.OSDisk?.VhdUri?.OriginalString);
        Assert.Equal(body["identity"]?["type"]?.GetValue<string>(), vm.Identity?.ManagedServiceIdentityType.ToString());
        Assert.Equal(body["identity"]?["userAssignedIdentities"]?.AsObject().Count ?? 0, vm.Identity?.UserAssignedIdentities.Count ?? 0);
        Assert.Equal(body["zones"]?.AsArray().Count ?? 0, vm.Zones.Count);
        Assert.Equal(body["plan"]?["name"]?.GetValue<string>(), vm.Plan?.Name);
        Assert.Equal(body["resources"]?.AsArray().Count ?? 0, vm.Resources.Count);
        Assert.Equal(body["etag"]?.GetValue<string>(), vm.ETag?.ToString());
        Assert.Equal(body["managedBy"]?.GetValue<string>(), vm.ManagedBy?.ToString());
        Assert.Equal(body["properties"]?["provisioningState"]?.GetValue<string>(), vm.ProvisioningState);
    }

    /// <summary>What the driver reads of each data disk: LUN, managed disk id (or VHD URI), name, toBeDetached.</summary>
    private static void AssertDataDisks(JsonArray? expected, IEnumerable<VirtualMachineDataDisk> actual)
    {
        var read = actual.ToList();
        Assert.Equal(expected?.Count ?? 0, read.Count);
        foreach (var (json, disk) in (expected ?? []).Zip(read))
        {
            Assert.Equal(json!["lun"]!.GetValue<int>(), disk.Lun);
            Assert.Equal(json["name"]?.GetValue<string>(), disk.Name);
            Assert.Equal(json["managedDisk"]?["id"]?.GetValue<string>(), disk.ManagedDisk?.Id?.ToString());
            Assert.Equal(json["vhd"]?["uri"]?.GetValue<string>(), disk.VhdUri?.OriginalString);
            Assert.Equal(json["toBeDetached"]?.GetValue<bool>(), disk.ToBeDetached);
        }
    }

    private static T Read<T>(JsonObject body) =>
        ModelReaderWriter.Read<T>(BinaryData.FromString(body.ToJsonString()), ModelReaderWriterOptions.Json, AzureResourceManagerComputeContext.Default)
        ?? throw new InvalidOperationException($"{typeof(T).Name}: no model");

    /// <summary>
    /// An example with its path parameters filled in as ARM fills them: the subscription is a GUID and
    /// "{myStorageAccount}" a name. ARM never answers a template, and the SDK parses ids and URIs.
    /// </summary>
    private static JsonObject Example(string path)
    {
        var example = JsonNode.Parse(Placeholder().Replace(
            File.ReadAllText(path).Replace("{subscription-id}", Subscription, StringComparison.Ordinal).Replace("{subscriptionId}", Subscription, StringComparison.Ordinal),
            "$1"))!.AsObject();

        // The *_Gen examples fill strings with "aaa…", also where the specification gives a format the
        // SDK parses and ARM always keeps: an extension's type (Microsoft.Compute/virtualMachines/extensions)
        // and the uuids of an identity (principalId, tenantId, clientId).
        foreach (var vm in example["responses"]!.AsObject().SelectMany(r => Vms(r.Value?["body"])))
        {
            foreach (var extension in vm["resources"]?.AsArray() ?? [])
            {
                if (extension?["type"]?.GetValue<string>() is { } type && !type.Contains('/', StringComparison.Ordinal))
                {
                    extension["type"] = "Microsoft.Compute/virtualMachines/extensions";
                }
            }

            var identities = new[] { vm["identity"] }.Concat(vm["identity"]?["userAssignedIdentities"]?.AsObject().Select(p => p.Value) ?? []);
            foreach (var identity in identities.OfType<JsonObject>())
            {
                foreach (var key in new[] { "principalId", "tenantId", "clientId" })
                {
                    if (identity[key]?.GetValue<string>() is { } value && !Guid.TryParse(value, out _))
                    {
                        identity[key] = Guid.Empty.ToString();
                    }
                }
            }
        }

        return example;
    }

    private static IEnumerable<JsonNode> Vms(JsonNode? body) => body?["value"] is JsonArray list ? list.OfType<JsonNode>() : body is null ? [] : [body];

    [System.Text.RegularExpressions.GeneratedRegex(@"\{([A-Za-z0-9-]+)\}")]
    private static partial System.Text.RegularExpressions.Regex Placeholder();

    private static string OperationOf(string file, JsonObject example) =>
        example["operationId"]?.GetValue<string>() ?? Path.GetFileNameWithoutExtension(file) switch
        {
            // The Disk RP's examples carry no operationId: their file names say it.
            var name when name.StartsWith("Disk_Get", StringComparison.Ordinal) => "Disks_Get",
            var name when name.StartsWith("Disk_Create", StringComparison.Ordinal) => "Disks_CreateOrUpdate",
            var name when name.StartsWith("Disk_Update", StringComparison.Ordinal) => "Disks_Update",
            var name when name.StartsWith("Disk_Delete", StringComparison.Ordinal) => "Disks_Delete",
            var name when name.StartsWith("Disk_ListByResourceGroup", StringComparison.Ordinal) => "Disks_ListByResourceGroup",
            var name => name,
        };

    private static JsonObject Body(string file, string status) => Example(Path.Join(ExamplesDirectory, file))["responses"]![status]!["body"]!.AsObject();

    private static List<(string File, string Status)> Bodies(params string[] operations) =>
        ResponseBodies().Select(row => (File: Path.Join(ExamplesDirectory, (string)row[0]), Status: (string)row[1]))
            .Where(r => operations.Contains(OperationOf(r.File, Example(r.File))))
            .ToList() is { Count: > 0 } found ? found : throw new InvalidOperationException($"no example for {string.Join(", ", operations)}");

    /// <summary>An ArmClient whose requests a function answers: status, body, headers (null: 404).</summary>
    private sealed class StubArm : IDisposable
    {
        private readonly HttpClient _http;

        public StubArm(Func<HttpRequestMessage, Uri, (int Status, JsonObject? Body, Dictionary<string, string>? Headers)?> answer)
        {
            _http = new HttpClient(new Handler(answer));
            var options = new ArmClientOptions { Transport = new HttpClientTransport(_http) };
            options.Retry.MaxRetries = 0;
            Client = new ArmClient(DelegatedTokenCredential.Create((_, _) => new AccessToken("token", DateTimeOffset.UtcNow.AddHours(1))), Subscription, options);
        }

        public ArmClient Client { get; }

        public AzureNodeVm Vm(string node, AzureVmType type) => AzureNodeVm.For(
            NodeName.TryCreate(node, out var name, out _) ? name.Value : throw new ArgumentException(node),
            new AzureCloudConfig("azure.json", AzureEnvironment.Public, "tenant", Subscription, Group, "westus", type, null, null, null, null, false, null, null),
            Client,
            TimeProvider.System);

        public void Dispose() => _http.Dispose();

        private sealed class Handler(Func<HttpRequestMessage, Uri, (int Status, JsonObject? Body, Dictionary<string, string>? Headers)?> answer) : HttpMessageHandler
        {
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                // The resource's URI without the query, for Location headers that point back at it.
                var resource = new Uri(request.RequestUri!.GetLeftPart(UriPartial.Path));
                var answered = answer(request, resource);
                var response = answered is { } a
                    ? new HttpResponseMessage((HttpStatusCode)a.Status) { Content = new StringContent(a.Body?.ToJsonString() ?? string.Empty, Encoding.UTF8, "application/json") }
                    : new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent("""{"error":{"code":"ResourceNotFound","message":"not here"}}""", Encoding.UTF8, "application/json") };
                foreach (var (key, value) in answered?.Headers ?? [])
                {
                    response.Headers.TryAddWithoutValidation(key, value);
                }

                response.RequestMessage = request;
                return Task.FromResult(response);
            }
        }
    }
}
