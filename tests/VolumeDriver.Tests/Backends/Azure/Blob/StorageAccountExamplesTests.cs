using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Core.Pipeline;
using VolumeDriver.Backends.Azure.Blob;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Backends.Azure.Blob;

/// <summary>
/// Every published 2019-06-01 example response of the storage-account operations the driver calls
/// (TestData/StorageExamples, from Azure/azure-rest-api-specs), replayed through
/// <see cref="StorageAccountClient"/>: each parses, and gives what the example says.
/// </summary>
public sealed class StorageAccountExamplesTests
{
    private static readonly Uri Arm = new("https://management.local.azurestack.external/");

    private static JsonObject Example(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Join(AppContext.BaseDirectory, "TestData", "StorageExamples", name + ".json")))!.AsObject();

    private static string Body(JsonObject example, string status = "200") => example["responses"]![status]!["body"]!.ToJsonString();

    private static (StorageAccountClient Client, Replay Replay) Client(JsonObject example, params HttpResponseMessage[] answers)
    {
        var parameters = example["parameters"]!;
        var replay = new Replay(answers);
        var options = new ReplayOptions(replay);
        var pipeline = HttpPipelineBuilder.Build(options, [], [], new ResponseClassifier());
        var client = new StorageAccountClient(pipeline, new StorageAccountClientOptions(Arm, parameters["subscriptionId"]!.GetValue<string>(), parameters["resourceGroupName"]!.GetValue<string>()), TimeProvider.System);
        return (client, replay);
    }

    private static HttpResponseMessage Json(string body, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    [Fact]
    public async Task Create_FollowsThe202ToTheExamplesAccount_AskingForGeneralPurposeV1()
    {
        var example = Example("StorageAccountCreate");
        var accepted = new HttpResponseMessage(HttpStatusCode.Accepted) { Content = new StringContent(string.Empty) };
        accepted.Headers.Location = new Uri(Arm, "subscriptions/{subscription-id}/providers/Microsoft.Storage/locations/eastus/asyncoperations/1?monitor=true&api-version=2019-06-01");
        accepted.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.Zero);
        var (client, replay) = Client(example, accepted, Json(Body(example)));

        var account = await client.CreateAsync("sto4445", "Standard_GRS", "eastus", new Dictionary<string, string> { ["key1"] = "value1" }, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(("sto4445", "Standard_GRS", "eastus", "Succeeded"), (account.Name, account.Sku, account.Location, account.ProvisioningState));
        Assert.Equal(new Uri("https://sto4445.blob.core.windows.net/"), account.BlobEndpoint);
        Assert.Equal("/subscriptions/{subscription-id}/resourceGroups/res9101/providers/Microsoft.Storage/storageAccounts/sto4445", account.Id);
        Assert.Equal("value2", account.Tags["key2"]);
        var sent = JsonNode.Parse(replay.Bodies[0])!;
        Assert.Equal(("Storage", "Standard_GRS"), (sent["kind"]!.GetValue<string>(), sent["sku"]!["name"]!.GetValue<string>()));
        Assert.Equal(["PUT", "GET"], replay.Methods);
    }

    [Fact]
    public async Task GetProperties_ParsesEveryField()
    {
        var example = Example("StorageAccountGetProperties");
        var (client, _) = Client(example, Json(Body(example)));

        var account = await client.GetAsync("sto8596", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(("sto8596", "Standard_GRS", "eastus2(stage)", "Succeeded"), (account!.Name, account.Sku, account.Location, account.ProvisioningState));
        Assert.Equal(new Uri("https://sto8596.blob.core.windows.net/"), account.BlobEndpoint);
    }

    /// <summary>Every published GetProperties example (with geoReplicationStats, a customer-managed key, an identity, routing endpoints) parses and gives what it says.</summary>
    [Theory]
    [InlineData("StorageAccountGetProperties")]
    [InlineData("StorageAccountGetPropertiesCMKEnabled")]
    public async Task EveryGetPropertiesExample_ParsesWithTheFieldsTheDriverReads(string name)
    {
        var example = Example(name);
        var body = example["responses"]!["200"]!["body"]!;
        var (client, _) = Client(example, Json(Body(example)));

        var account = await client.GetAsync(example["parameters"]!["accountName"]!.GetValue<string>(), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.NotNull(account);
        Assert.Equal(
            (body["name"]!.GetValue<string>(), body["sku"]!["name"]!.GetValue<string>(), body["location"]!.GetValue<string>(), body["properties"]!["provisioningState"]!.GetValue<string>()),
            (account.Name, account.Sku, account.Location, account.ProvisioningState));
        Assert.Equal(new Uri(body["properties"]!["primaryEndpoints"]!["blob"]!.GetValue<string>()), account.BlobEndpoint);
        Assert.Equal(body["tags"]!.AsObject().Select(t => (t.Key, t.Value!.GetValue<string>())), account.Tags.Select(t => (t.Key, t.Value)));
    }

    [Fact]
    public void EveryStoredExample_IsReplayedHere()
    {
        var replayed = new[] { "StorageAccountCreate", "StorageAccountGetProperties", "StorageAccountGetPropertiesCMKEnabled", "StorageAccountListByResourceGroup", "StorageAccountListKeys" };
        var stored = Directory.EnumerateFiles(Path.Join(AppContext.BaseDirectory, "TestData", "StorageExamples"), "*.json").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal);

        Assert.Equal(replayed, stored);
    }

    [Fact]
    public async Task ListByResourceGroup_ParsesEveryAccount()
    {
        var example = Example("StorageAccountListByResourceGroup");
        var (client, _) = Client(example, Json(Body(example)));

        var accounts = await client.ListAsync(CancellationToken.None).ToListAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(["sto4036", "sto4452"], accounts.Select(a => a.Name));
        Assert.All(accounts, a => Assert.Equal(("Standard_GRS", "Succeeded", "value1"), (a.Sku, a.ProvisioningState, a.Tags["key1"])));
        Assert.Equal(new Uri("https://sto4452.blob.core.windows.net/"), accounts[1].BlobEndpoint);
    }

    [Fact]
    public async Task ListKeys_GivesTheFirstFullKey()
    {
        var example = Example("StorageAccountListKeys");
        var (client, replay) = Client(example, Json(Body(example)));

        var key = await client.GetKeyAsync("sto2220", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(example["responses"]!["200"]!["body"]!["keys"]![0]!["value"]!.GetValue<string>(), key);
        Assert.Equal(["POST"], replay.Methods);
    }

    /// <summary>Answers each request with the next recorded response, keeping what was sent.</summary>
    private sealed class Replay(HttpResponseMessage[] answers) : HttpMessageHandler
    {
        private int _next;

        public List<string> Methods { get; } = [];

        public List<string> Bodies { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Methods.Add(request.Method.Method);
            Bodies.Add(request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken).WithTimeout());
            return answers[_next++];
        }
    }

    private sealed class ReplayOptions : ClientOptions
    {
        public ReplayOptions(Replay replay)
        {
            Transport = new HttpClientTransport(new HttpClient(replay));
            Retry.MaxRetries = 0;
        }
    }
}
