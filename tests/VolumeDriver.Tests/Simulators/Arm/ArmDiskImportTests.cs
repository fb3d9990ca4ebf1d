using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Simulators.Arm;
using VolumeDriver.Backends.Azure.Blob;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Simulators.Arm;

/// <summary>
/// The ARM double's disk import over raw HTTP: it reads the source blob from Azurite (signing its own
/// requests) and answers as Azure does, sizing the disk from the footer and refusing blobs that are
/// no fixed VHD with the codes and messages users quote from Azure.
/// </summary>
public sealed class ArmDiskImportTests : IAsyncLifetime
{
    private static readonly string Account = AzureStackTestBed.PoolAccount("Standard_LRS");

    private AzureStackTestBed _bed = null!;
    private HttpPipeline _pipeline = null!;
    private PageBlobStore _store = null!;
    private string _accountId = null!;

    public async Task InitializeAsync()
    {
        _bed = await AzureStackTestBed.StartAsync(null, Account).WithTimeout();
        _pipeline = _bed.Clients(_bed.Configuration()).CreateArmPipeline();
        if (_bed.Azurite is null)
        {
            return;
        }

        var accounts = new StorageAccountClient(_pipeline, new StorageAccountClientOptions(Arm.BaseUri, Arm.Options.SubscriptionId, Arm.Options.ResourceGroup), TimeProvider.System);
        _accountId = (await accounts.CreateAsync(Account, "Standard_LRS", Arm.Options.Location, new Dictionary<string, string>(), CancellationToken.None).WithTimeout()).Id;
        _store = _bed.Azurite.Store(Account);
        await _store.CreateContainerAsync("vhds", CancellationToken.None).WithTimeout();
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync().WithTimeout();

    private ArmSimulator Arm => _bed.Arm;

    /// <summary>A page blob of <paramref name="diskBytes"/> + 512, with a fixed-VHD footer unless <paramref name="footer"/> is false.</summary>
    private async Task<Uri> BlobAsync(string name, long diskBytes, bool footer = true)
    {
        await _store.CreatePageBlobAsync("vhds", name, diskBytes + VhdFooter.Size, CancellationToken.None).WithTimeout();
        if (footer)
        {
            await _store.WritePagesAsync("vhds", name, diskBytes, VhdFooter.Create(diskBytes, DateTimeOffset.UtcNow, Guid.NewGuid()), CancellationToken.None).WithTimeout();
        }

        return _store.BlobUri("vhds", name);
    }

    [AzuriteFact]
    public async Task AFixedVhd_IsImportedWithTheSizeItsFooterDeclares()
    {
        var source = await BlobAsync("three.vhd", 3 << 20).WithTimeout();

        var response = await PutAsync("imported", Import(source, _accountId)).WithTimeout();

        Assert.Equal(202, response.Status);
        var disk = JsonNode.Parse(response.Content)!["properties"]!;
        Assert.Equal((1, 3L << 20), (disk["diskSizeGB"]!.GetValue<int>(), disk["diskSizeBytes"]!.GetValue<long>()));
        Assert.Equal(("Import", source.AbsoluteUri, _accountId), (disk["creationData"]!["createOption"]!.GetValue<string>(), disk["creationData"]!["sourceUri"]!.GetValue<string>(), disk["creationData"]!["storageAccountId"]!.GetValue<string>()));
    }

    [AzuriteFact]
    public async Task BlobsThatAreNoFixedVhd_AreRefusedAsAzureRefusesThem()
    {
        var raw = await BlobAsync("raw.vhd", 1 << 20, footer: false).WithTimeout();
        var odd = await BlobAsync("odd.vhd", 3 << 19).WithTimeout();

        var noCookie = await PutAsync("d1", Import(raw, _accountId)).WithTimeout();
        var oddSize = await PutAsync("d2", Import(odd, _accountId)).WithTimeout();
        var missing = await PutAsync("d3", Import(_store.BlobUri("vhds", "nothing.vhd"), _accountId)).WithTimeout();
        var noAccount = await PutAsync("d4", new JsonObject { ["createOption"] = "Import", ["sourceUri"] = raw.AbsoluteUri }).WithTimeout();

        Assert.Equal((400, "InvalidParameter"), (noCookie.Status, ErrorCode(noCookie)));
        Assert.Contains($"indicates that disk 'd1' with blob {raw.AbsoluteUri} is not a supported VHD. Disk is expected to have cookie value 'conectix'.", ErrorMessage(noCookie), StringComparison.Ordinal);
        Assert.Equal((400, "InvalidParameter"), (oddSize.Status, ErrorCode(oddSize)));
        Assert.Contains("has unsupported virtual size of 1572864 bytes.  The size must be a whole number (in MBs).", ErrorMessage(oddSize), StringComparison.Ordinal);
        Assert.Equal((400, "DiskBlobNotFound"), (missing.Status, ErrorCode(missing)));
        Assert.Equal((400, "InvalidParameter"), (noAccount.Status, ErrorCode(noAccount)));
        Assert.Empty(Arm.Disks());
    }

    private static JsonObject Import(Uri source, string accountId) => new() { ["createOption"] = "Import", ["sourceUri"] = source.AbsoluteUri, ["storageAccountId"] = accountId };

    private static string? ErrorCode(RawResponse response) => JsonNode.Parse(response.Content)?["error"]?["code"]?.GetValue<string>();

    private static string ErrorMessage(RawResponse response) => JsonNode.Parse(response.Content)?["error"]?["message"]?.GetValue<string>() ?? string.Empty;

    private async Task<RawResponse> PutAsync(string disk, JsonObject creationData)
    {
        var body = new JsonObject
        {
            ["location"] = Arm.Options.Location,
            ["sku"] = new JsonObject { ["name"] = "Standard_LRS" },
            ["properties"] = new JsonObject { ["creationData"] = creationData },
        };
        using var message = _pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Put;
        message.Request.Uri.Reset(new Uri(Arm.BaseUri, $"subscriptions/{Arm.Options.SubscriptionId}/resourceGroups/{Arm.Options.ResourceGroup}/providers/Microsoft.Compute/disks/{disk}?api-version=2023-04-02"));
        message.Request.Headers.SetValue("Content-Type", "application/json");
        message.Request.Content = RequestContent.Create(BinaryData.FromString(body.ToJsonString()));
        await _pipeline.SendAsync(message, CancellationToken.None).WithTimeout();
        return new RawResponse(message.Response.Status, message.Response.Content.ToString());
    }

    private sealed record RawResponse(int Status, string Content);
}
