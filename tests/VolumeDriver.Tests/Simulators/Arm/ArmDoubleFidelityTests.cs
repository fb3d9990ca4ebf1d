using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Simulators.Arm;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Simulators.Arm;

/// <summary>
/// The ARM double against the published examples (TestData/ArmExamples): for each operation it
/// serves, its answers hold every property path the operation's fullest published example answer
/// holds (the MaximumSet example where the specification has one), arrays compared by the shape of
/// their elements and maps (tags, userAssignedIdentities, extension settings) by their values. A
/// field the double leaves out is a field no test of the driver can meet. The few paths left out
/// are alternatives one resource cannot hold at once, or fields ARM returns only in a state the
/// double's resource is not in; each says why.
/// </summary>
public sealed class ArmDoubleFidelityTests : IAsyncLifetime
{
    private static readonly string Examples = Path.Join(AppContext.BaseDirectory, "TestData", "ArmExamples");

    private AzureStackTestBed _bed = null!;
    private HttpPipeline _pipeline = null!;

    public async Task InitializeAsync()
    {
        _bed = await AzureStackTestBed.StartAsync(o => o with
        {
            Vms = ["node-1", "legacy-1"],
            UnmanagedOsDiskVms = ["legacy-1"],
            ScaleSets = new Dictionary<string, int> { ["k8s-vmss"] = 1 },
            OperationTime = TimeSpan.FromMilliseconds(20),

            // Public Azure's storage: geo-redundant accounts and every endpoint (Azure Stack Hub's serves fewer).
            AzureStackStorage = false,
        }).WithTimeout();
        _pipeline = _bed.Clients(_bed.Configuration()).CreateArmPipeline();
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync().WithTimeout();

    private ArmSimulator Arm => _bed.Arm;

    private string Group => $"subscriptions/{Arm.Options.SubscriptionId}/resourceGroups/{Arm.Options.ResourceGroup}";

    [Fact]
    public async Task VmGetAndUpdate_HoldEveryPathOfTheVmMaximumSet()
    {
        var answers = await AttachAsync("node-1", "virtualMachines/node-1", "fid-a", "fid-b").WithTimeout();
        answers.AddRange(await GetVariantsAsync("virtualMachines/node-1").WithTimeout());
        answers.AddRange(await GetVariantsAsync("virtualMachines/legacy-1").WithTimeout());

        // VirtualMachines_List's MaximumSet holds two VMs, together every field; its VMs have no data
        // disk, whose entry (the same DataDisk definition) the scale-set VM's MaximumSet shows.
        var vms = Response("compute-2026-04-01/VirtualMachine_List_MaximumSet_Gen.json")["value"]!.AsArray();
        var expected = Paths(vms[0]).Union(Paths(vms[1]))
            .Union(Paths(Response("compute-2026-04-01/VirtualMachineScaleSetVM_Update_MaximumSet_Gen.json")).Where(p => p.StartsWith("properties.storageProfile.dataDisks", StringComparison.Ordinal)));

        AssertHolds(expected, answers, VmAlternatives);
    }

    [Fact]
    public async Task ScaleSetVmGetAndUpdate_HoldEveryPathOfTheScaleSetVmMaximumSet()
    {
        var instance = "virtualMachineScaleSets/k8s-vmss/virtualMachines/0";
        var answers = await AttachAsync(ArmSimulator.ScaleSetComputerName("k8s-vmss", 0), instance, "fid-c", "fid-d").WithTimeout();
        answers.AddRange(await GetVariantsAsync(instance).WithTimeout());

        AssertHolds(Paths(Response("compute-2026-04-01/VirtualMachineScaleSetVM_Update_MaximumSet_Gen.json")), answers, new Dictionary<string, string>(VmAlternatives)
        {
            ["properties.storageProfile.osDisk.vhd"] = "a blob OS disk; the double's scale sets have managed OS disks (legacy-1 holds the blob alternative in the VM test)",
            ["properties.storageProfile.osDisk.image"] = "a blob OS disk made from a user image VHD",
        });
    }

    [Fact]
    public async Task AttachDetachDataDisks_EndsWithEveryPathOfItsMaximumSet()
    {
        Arm.SeedDisk("fid-e", 4);
        var accepted = await SendAsync(RequestMethod.Post, "virtualMachines/node-1/attachDetachDataDisks", new JsonObject
        {
            ["dataDisksToAttach"] = new JsonArray(new JsonObject { ["diskId"] = "/" + Group + "/providers/Microsoft.Compute/disks/fid-e", ["lun"] = 1, ["caching"] = "ReadOnly" }),
        }).WithTimeout();
        Assert.Equal(202, accepted.Status);
        var result = await FollowLocationAsync(accepted).WithTimeout();

        AssertHolds(Paths(Response("compute-2026-04-01/VirtualMachine_AttachDetachDataDisks_MaximumSet_Gen.json")), [result], new Dictionary<string, string>
        {
            ["dataDisks[].managedDisk.diskEncryptionSet"] = "a disk encrypted with a customer-managed key; the double's disks use platform keys",
        });
    }

    [Fact]
    public async Task DiskGetCreateUpdateAndList_HoldEveryPathOfDiskGet()
    {
        var created = await SendAsync(RequestMethod.Put, "disks/fid-f", new JsonObject
        {
            ["location"] = Arm.Options.Location,
            ["sku"] = new JsonObject { ["name"] = "Premium_LRS" },
            ["tags"] = new JsonObject { ["kubernetes.io-created-for-pv-name"] = "fid-f" },
            ["properties"] = new JsonObject { ["creationData"] = new JsonObject { ["createOption"] = "Empty" }, ["diskSizeGB"] = 4 },
        }).WithTimeout();
        await FollowAsyncOperationAsync(created).WithTimeout();
        await AttachAsync("node-1", "virtualMachines/node-1", "fid-f").WithTimeout();
        var grown = await SendAsync(RequestMethod.Patch, "disks/fid-f", new JsonObject { ["properties"] = new JsonObject { ["diskSizeGB"] = 8 } }).WithTimeout();
        await FollowAsyncOperationAsync(grown).WithTimeout();
        var list = Json(await SendAsync(RequestMethod.Get, "disks").WithTimeout())["value"]!.AsArray().OfType<JsonObject>();

        // Disk RP examples have no MaximumSet: Disk_Get is its fullest disk, an OS disk made from a
        // marketplace image and encrypted with Azure Disk Encryption.
        AssertHolds(Paths(Response("disks-2025-01-02/Disk_Get.json")), [Json(created), Json(grown), Json(await SendAsync(RequestMethod.Get, "disks/fid-f").WithTimeout()), .. list], new Dictionary<string, string>
        {
            ["properties.osType"] = "an OS disk's; the driver's disks are data disks",
            ["properties.hyperVGeneration"] = "an OS disk's",
            ["properties.purchasePlan"] = "a disk made from a marketplace image",
            ["properties.supportedCapabilities"] = "an OS disk's",
            ["properties.supportsHibernation"] = "an OS disk's",
            ["properties.securityProfile"] = "an OS disk of a Trusted Launch or confidential VM",
            ["properties.creationData.imageReference"] = "a disk made from an image; the driver creates empty disks (or imports a VHD)",
            ["properties.encryptionSettingsCollection"] = "Azure Disk Encryption, set on a disk by its user, never by the driver",
        });
    }

    [Fact]
    public async Task StorageAccountCreateGetListAndListKeys_HoldEveryPathOfTheirExamples()
    {
        var accounts = $"{Group}/providers/Microsoft.Storage/storageAccounts";
        var created = await SendAsync(RequestMethod.Put, "fidelity1", new JsonObject
        {
            ["sku"] = new JsonObject { ["name"] = "Standard_GRS" },
            ["kind"] = "Storage",
            ["location"] = Arm.Options.Location,
            ["tags"] = new JsonObject { ["key1"] = "value1" },
        }, under: accounts, version: "2019-06-01").WithTimeout();
        Assert.Equal(202, created.Status);
        var account = await FollowLocationAsync(created).WithTimeout();
        var got = Json(await SendAsync(RequestMethod.Get, "fidelity1", under: accounts, version: "2019-06-01", expand: "geoReplicationStats").WithTimeout());
        var listed = Json(await SendAsync(RequestMethod.Get, string.Empty, under: accounts, version: "2019-06-01").WithTimeout());
        var keys = Json(await SendAsync(RequestMethod.Post, "fidelity1/listKeys", under: accounts, version: "2019-06-01").WithTimeout());

        AssertHolds(Paths(StorageResponse("StorageAccountGetProperties")), [got], new Dictionary<string, string>());
        AssertHolds(Paths(StorageResponse("StorageAccountListByResourceGroup")), [listed], new Dictionary<string, string>());
        AssertHolds(Paths(StorageResponse("StorageAccountCreate")), [account], new Dictionary<string, string>
        {
            // The example's create asks for these; the driver's asks for none, and ARM returns them only when asked.
            ["properties.routingPreference"] = "returned for an account created with a routing preference",
            ["properties.primaryEndpoints.microsoftEndpoints"] = "published only with routingPreference.publishMicrosoftEndpoints",
            ["properties.primaryEndpoints.internetEndpoints"] = "published only with routingPreference.publishInternetEndpoints",
            ["properties.isSftpEnabled"] = "an account created with SFTP on (isHnsEnabled and isSftpEnabled)",
        });
        AssertHolds(Paths(StorageResponse("StorageAccountListKeys")), [keys], new Dictionary<string, string>());
    }

    /// <summary>Paths of a VM's or scale-set VM's examples the double's VMs cannot hold, and why.</summary>
    private static readonly Dictionary<string, string> VmAlternatives = new(StringComparer.Ordinal)
    {
        ["properties.osProfile.windowsConfiguration"] = "the nodes run Linux: linuxConfiguration, never both",
        ["properties.osProfile.adminPassword"] = "write-only: ARM never returns it",
        ["properties.osProfile.customData"] = "write-only: ARM never returns it",
        ["resources[].properties.protectedSettings"] = "write-only: ARM never returns an extension's protected settings",
        ["properties.storageProfile.dataDisks[].managedDisk.diskEncryptionSet"] = "a disk encrypted with a customer-managed key; the double's disks use platform keys",
        ["properties.storageProfile.dataDisks[].image"] = "a data disk made from a user image VHD (createOption FromImage); the driver's are attached",
        ["properties.storageProfile.dataDisks[].detachOption"] = "returned only as an update set it (ForceDetach), which the driver never asks for",
        ["properties.storageProfile.dataDisks[].vhd"] = "a blob disk's entry (no managedDisk); the blob tests attach VHDs through Azurite, which this test has not",
    };

    /// <summary>PUTs the VM (or scale-set VM) with the named disks (made here) as its data disks, and returns its answers and the VM once the update ended.</summary>
    private async Task<List<JsonObject>> AttachAsync(string computerName, string path, params string[] disks)
    {
        var entries = new JsonArray();
        foreach (var (disk, lun) in disks.Select((d, i) => (d, i)))
        {
            if (!Arm.Disks().Any(d => d.Name == disk))
            {
                // An Ultra or Premium v2 disk's entry carries its provisioned IOPS and throughput.
                Arm.SeedDisk(disk, 4, lun == 1 ? "PremiumV2_LRS" : "Premium_LRS");
            }

            entries.Add(new JsonObject { ["lun"] = lun, ["name"] = disk, ["createOption"] = "Attach", ["managedDisk"] = new JsonObject { ["id"] = "/" + Group + "/providers/Microsoft.Compute/disks/" + disk } });
        }

        var update = await SendAsync(RequestMethod.Put, path, new JsonObject
        {
            ["location"] = Arm.Options.Location,
            ["properties"] = new JsonObject { ["storageProfile"] = new JsonObject { ["dataDisks"] = entries } },
        }).WithTimeout();
        Assert.True(update.Status is 200 or 202, $"{path}: {update.Status} {update.Content}");
        List<JsonObject> answers = [Json(update)];
        if (update.Headers.ContainsKey("Azure-AsyncOperation"))
        {
            await FollowAsyncOperationAsync(update).WithTimeout();
        }
        else
        {
            // A scale-set VM's 202 names only a Location, which ends with the VM.
            answers.Add(await FollowLocationAsync(update).WithTimeout());
        }

        Assert.All(disks, d => Assert.Equal(computerName, Arm.Disks().Single(x => x.Name == d).AttachedTo));
        answers.Add(Json(await SendAsync(RequestMethod.Get, path).WithTimeout()));
        return answers;
    }

    /// <summary>The resource as GET answers it plain and with each $expand the operation has.</summary>
    private async Task<List<JsonObject>> GetVariantsAsync(string path) =>
    [
        Json(await SendAsync(RequestMethod.Get, path).WithTimeout()),
        Json(await SendAsync(RequestMethod.Get, path, expand: "instanceView").WithTimeout()),
        Json(await SendAsync(RequestMethod.Get, path, expand: "userData").WithTimeout()),
    ];

    private static void AssertHolds(IEnumerable<string> expected, IEnumerable<JsonObject> answers, IReadOnlyDictionary<string, string> alternatives)
    {
        var held = answers.SelectMany(Paths).ToHashSet(StringComparer.Ordinal);
        var missing = expected
            .Where(p => !alternatives.Keys.Any(a => p == a || p.StartsWith(a + ".", StringComparison.Ordinal) || p.StartsWith(a + "[]", StringComparison.Ordinal)))
            .Where(p => !held.Contains(p))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(missing.Count == 0, "the double's answers lack these paths of the published example:\n" + string.Join("\n", missing));
    }

    /// <summary>Every property path: "a.b", arrays as "a[]" (the union of their elements' paths), map keys as "*".</summary>
    internal static HashSet<string> Paths(JsonNode? node)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        void Walk(JsonNode? value, string at)
        {
            switch (value)
            {
                case JsonObject obj:
                    foreach (var (key, child) in obj)
                    {
                        var map = at == "tags" || at.EndsWith(".tags", StringComparison.Ordinal) || at.EndsWith("userAssignedIdentities", StringComparison.Ordinal);
                        var path = (at.Length == 0 ? string.Empty : at + ".") + (map ? "*" : key);
                        paths.Add(path);
                        if (key is not ("settings" or "protectedSettings"))
                        {
                            // An extension's settings are the extension's own, free-form.
                            Walk(child, path);
                        }
                    }

                    break;
                case JsonArray array:
                    foreach (var element in array)
                    {
                        Walk(element, at + "[]");
                    }

                    break;
            }
        }

        Walk(node, string.Empty);
        return paths;
    }

    private static JsonObject Response(string file) =>
        JsonNode.Parse(File.ReadAllText(Path.Join(Examples, file)))!["responses"]!["200"]!["body"]!.AsObject();

    private static JsonNode StorageResponse(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Join(AppContext.BaseDirectory, "TestData", "StorageExamples", name + ".json")))!["responses"]!["200"]!["body"]!;

    private static JsonObject Json(RawResponse response) =>
        JsonNode.Parse(response.Content) as JsonObject ?? throw new InvalidOperationException($"{response.Status}: no JSON object in '{response.Content}'");

    /// <summary>Follows Azure-AsyncOperation until the operation ends Succeeded.</summary>
    private async Task FollowAsyncOperationAsync(RawResponse started)
    {
        Assert.True(started.Headers.TryGetValue("Azure-AsyncOperation", out var operation), $"no Azure-AsyncOperation in the {started.Status} answer");
        var deadline = DateTimeOffset.UtcNow.AddSeconds(20);
        while (JsonNode.Parse((await GetAsync(operation!).WithTimeout()).Content)!["status"]!.GetValue<string>() is var status && status != "Succeeded")
        {
            Assert.Equal("InProgress", status);
            Assert.True(DateTimeOffset.UtcNow < deadline, "the operation did not end");
            await Task.Delay(20);
        }
    }

    /// <summary>Polls Location until it answers 200, and returns that body.</summary>
    private async Task<JsonObject> FollowLocationAsync(RawResponse started)
    {
        Assert.True(started.Headers.TryGetValue("Location", out var location), $"no Location in the {started.Status} answer");
        var deadline = DateTimeOffset.UtcNow.AddSeconds(20);
        while (true)
        {
            var answer = await GetAsync(location!).WithTimeout();
            if (answer.Status == 200)
            {
                return Json(answer);
            }

            Assert.Equal(202, answer.Status);
            Assert.True(DateTimeOffset.UtcNow < deadline, "the operation did not end");
            await Task.Delay(20);
        }
    }

    /// <param name="under">The collection <paramref name="path"/> is in: Microsoft.Compute's unless given.</param>
    private async Task<RawResponse> SendAsync(RequestMethod method, string path, JsonObject? body = null, string? expand = null, string? under = null, string? version = null)
    {
        version ??= path.StartsWith("disks", StringComparison.Ordinal) ? "2026-03-02" : "2026-04-01";
        var resource = (under ?? $"{Group}/providers/Microsoft.Compute") + (path.Length == 0 ? string.Empty : "/" + path);
        using var message = _pipeline.CreateMessage();
        message.Request.Method = method;
        message.Request.Uri.Reset(new Uri(Arm.BaseUri, $"{resource}?api-version={version}{(expand is null ? string.Empty : "&$expand=" + expand)}"));
        if (body is not null)
        {
            message.Request.Headers.SetValue("Content-Type", "application/json");
            message.Request.Content = RequestContent.Create(BinaryData.FromString(body.ToJsonString()));
        }

        await _pipeline.SendAsync(message, CancellationToken.None).AsTask().WithTimeout();
        return RawResponse.Of(message.Response);
    }

    private async Task<RawResponse> GetAsync(string url)
    {
        using var message = _pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Get;
        message.Request.Uri.Reset(new Uri(url));
        await _pipeline.SendAsync(message, CancellationToken.None).AsTask().WithTimeout();
        return RawResponse.Of(message.Response);
    }

    /// <summary>What a test reads of a response, copied before the message is disposed.</summary>
    private sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, string Content)
    {
        public static RawResponse Of(Response response) =>
            new(response.Status, response.Headers.ToDictionary(h => h.Name, h => h.Value, StringComparer.OrdinalIgnoreCase), response.Content.ToString());
    }
}
