using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Simulators.Arm;

/// <summary>
/// Microsoft.Storage/storageAccounts as ARM answers it at api-version 2019-06-01 (bodies with every
/// field of the published examples, the recorded session StorageAccountCreateTest.json, and the REST
/// reference, /shared/reference/azure.md §4.4): PUT of a
/// new account answers 202 with an empty text/plain body, a Location to poll and Retry-After, and
/// the poll answers 202 until the account is provisioned, then 200 with the account; a re-PUT
/// answers 200 with the account; GET, list (the resource group's), POST listKeys
/// ({"keys":[{keyName,value,permissions}]}) and DELETE (200, or 204 when absent). Names are
/// checked by Azure's rule (3-24 lowercase letters and digits).
/// </summary>
public sealed partial class ArmSimulator
{
    private readonly Dictionary<string, ArmStorageAccount> _storageAccounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Name, DateTimeOffset Ready)> _storageOperations = new(StringComparer.Ordinal);

    /// <summary>What tests see: every storage account with its SKU and tags.</summary>
    public IReadOnlyList<(string Name, string Sku, IReadOnlyDictionary<string, string> Tags)> StorageAccounts()
    {
        lock (_lock)
        {
            return _storageAccounts.Values.Select(a => (a.Name, a.Sku, (IReadOnlyDictionary<string, string>)new Dictionary<string, string>(a.Tags, StringComparer.Ordinal))).ToList();
        }
    }

    /// <summary>The kind an account was created with (Storage, StorageV2, ...), or null when there is no such account.</summary>
    public string? StorageAccountKind(string name)
    {
        lock (_lock)
        {
            return _storageAccounts.TryGetValue(name, out var account) ? account.Kind : null;
        }
    }

    [GeneratedRegex("^[a-z0-9]{3,24}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex StorageAccountName();

    private async Task StorageAsync(HttpContext context, string path)
    {
        var method = context.Request.Method;
        var accounts = $"/subscriptions/{_options.SubscriptionId}/resourceGroups/{_options.ResourceGroup}/providers/Microsoft.Storage/storageAccounts";
        var operations = $"/subscriptions/{_options.SubscriptionId}/providers/Microsoft.Storage/locations/{_options.Location}/asyncoperations/";
        if (method == "GET" && path.StartsWith(operations, StringComparison.OrdinalIgnoreCase))
        {
            await StorageOperationAsync(context, path[operations.Length..]);
            return;
        }

        if (method == "GET" && string.Equals(path, accounts, StringComparison.OrdinalIgnoreCase))
        {
            JsonArray list;
            lock (_lock)
            {
                list = [.. _storageAccounts.Values.Where(a => a.Ready <= DateTimeOffset.UtcNow).Select(a => StorageAccountJson(a))];
            }

            await WriteJsonAsync(context, 200, new JsonObject { ["value"] = list });
            return;
        }

        if (!path.StartsWith(accounts + "/", StringComparison.OrdinalIgnoreCase))
        {
            await ArmErrorAsync(context, 404, "ResourceGroupNotFound", $"Resource group '{path.Split('/').ElementAtOrDefault(4)}' could not be found.");
            return;
        }

        var rest = path[(accounts.Length + 1)..].Split('/');
        switch (rest, method)
        {
            case ([var name], "PUT"):
                await PutStorageAccountAsync(context, name);
                return;
            case ([var name], "GET"):
                JsonObject? account;
                lock (_lock)
                {
                    account = _storageAccounts.TryGetValue(name, out var a) && a.Ready <= DateTimeOffset.UtcNow ? StorageAccountJson(a, context.Request.Query["$expand"]) : null;
                }

                await (account is null ? NotFoundAsync(context, "Microsoft.Storage/storageAccounts", name) : WriteJsonAsync(context, 200, account));
                return;
            case ([var name], "DELETE"):
                bool removed;
                lock (_lock)
                {
                    removed = _storageAccounts.Remove(name);
                }

                context.Response.StatusCode = removed ? 200 : 204;
                return;
            case ([var name, "listKeys"], "POST"):
                ArmStorageAccount? keyed;
                lock (_lock)
                {
                    _storageAccounts.TryGetValue(name, out keyed);
                }

                await (keyed is null
                    ? NotFoundAsync(context, "Microsoft.Storage/storageAccounts", name)
                    : WriteJsonAsync(context, 200, new JsonObject
                    {
                        ["keys"] = new JsonArray(
                            new JsonObject { ["keyName"] = "key1", ["permissions"] = "Full", ["value"] = keyed.Key },
                            new JsonObject { ["keyName"] = "key2", ["permissions"] = "Full", ["value"] = keyed.SecondKey }),
                    }));
                return;
        }

        await ArmErrorAsync(context, 405, "MethodNotAllowed", $"{method} is not supported on {path}.");
    }

    private async Task PutStorageAccountAsync(HttpContext context, string name)
    {
        if (!StorageAccountName().IsMatch(name))
        {
            await ArmErrorAsync(context, 400, "AccountNameInvalid", $"{name} is not a valid storage account name. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only.");
            return;
        }

        var body = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync())!.AsObject();
        var sku = body["sku"]?["name"]?.GetValue<string>();
        string[] skus = _options.AzureStackStorage ? ["Standard_LRS", "Premium_LRS"] : ["Standard_LRS", "Premium_LRS", "Standard_GRS", "Standard_RAGRS", "Standard_ZRS", "Premium_ZRS"];
        if (sku is null || !skus.Contains(sku, StringComparer.Ordinal))
        {
            await ArmErrorAsync(context, 400, "InvalidValuesForRequestParameters", $"Values for request parameters are invalid: sku.name ('{sku}').");
            return;
        }

        // kind is required (2019-06-01: Storage, StorageV2, BlobStorage, FileStorage, BlockBlobStorage);
        // Azure Stack Hub serves general-purpose v1 only.
        var kind = body["kind"]?.GetValue<string>();
        string[] kinds = _options.AzureStackStorage ? ["Storage"] : ["Storage", "StorageV2", "BlobStorage", "FileStorage", "BlockBlobStorage"];
        if (kind is null || !kinds.Contains(kind, StringComparer.Ordinal))
        {
            await ArmErrorAsync(context, 400, "InvalidValuesForRequestParameters", $"Values for request parameters are invalid: kind ('{kind}'). Supported: {string.Join(", ", kinds)}.");
            return;
        }

        string operation = string.Empty;
        JsonObject? existingAnswer = null;
        lock (_lock)
        {
            if (_storageAccounts.TryGetValue(name, out var existing) && existing.Ready <= DateTimeOffset.UtcNow)
            {
                existingAnswer = StorageAccountJson(existing);
            }
            else
            {
                var ready = DateTimeOffset.UtcNow + _options.OperationTime;
                _storageAccounts[name] = new ArmStorageAccount
                {
                    Name = name,
                    Sku = sku,
                    Kind = kind,
                    Location = body["location"]?.GetValue<string>() ?? _options.Location,
                    Tags = body["tags"]?.AsObject().ToDictionary(t => t.Key, t => t.Value?.GetValue<string>() ?? string.Empty, StringComparer.Ordinal) ?? [],
                    Key = _options.StorageAccountKeys.TryGetValue(name, out var key) ? key : Convert.ToBase64String(RandomNumberGenerator.GetBytes(64)),
                    SecondKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64)),
                    Ready = ready,
                };
                operation = Guid.NewGuid().ToString();
                _storageOperations[operation] = (name, ready);
            }
        }

        if (existingAnswer is not null)
        {
            // A re-PUT of a provisioned account: 200 with the account, as ARM answers it.
            await WriteJsonAsync(context, 200, existingAnswer);
            return;
        }

        context.Response.Headers.Location = $"{BaseUri}subscriptions/{_options.SubscriptionId}/providers/Microsoft.Storage/locations/{_options.Location}/asyncoperations/{operation}?monitor=true&api-version={context.Request.Query["api-version"]}";
        context.Response.Headers.RetryAfter = _options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.StatusCode = 202;
    }

    private async Task StorageOperationAsync(HttpContext context, string id)
    {
        JsonObject? account = null;
        bool known;
        bool running;
        lock (_lock)
        {
            known = _storageOperations.TryGetValue(id, out var operation);
            running = known && operation.Ready > DateTimeOffset.UtcNow;
            if (known && !running && _storageAccounts.TryGetValue(operation.Name, out var created))
            {
                account = StorageAccountJson(created);
            }
        }

        if (!known)
        {
            await NotFoundAsync(context, "Microsoft.Storage/locations/asyncoperations", id);
        }
        else if (running)
        {
            context.Response.Headers.Location = $"{BaseUri}{context.Request.Path.Value!.TrimStart('/')}{context.Request.QueryString}";
            context.Response.Headers.RetryAfter = _options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            context.Response.StatusCode = 202;
        }
        else if (account is null)
        {
            context.Response.StatusCode = 204;
        }
        else
        {
            await WriteJsonAsync(context, 200, account);
        }
    }

    /// <summary>
    /// The account as the 2019-06-01 examples (StorageAccountCreate, StorageAccountGetProperties,
    /// StorageAccountListByResourceGroup in Azure/azure-rest-api-specs) return it: every field they
    /// hold, with the secondary region's fields only for geo-redundant SKUs (an LRS account has none)
    /// and, as Azure Stack Hub's general-purpose v1 accounts, no web or dfs endpoint there.
    /// </summary>
    /// <param name="expand">GET's $expand: geoReplicationStats adds the replication status of a geo-redundant account (StorageAccountGetProperties).</param>
    private JsonObject StorageAccountJson(ArmStorageAccount account, string? expand = null)
    {
        var tags = new JsonObject();
        foreach (var (key, value) in account.Tags)
        {
            tags[key] = value;
        }

        var created = account.Ready.ToString("o", CultureInfo.InvariantCulture);
        JsonObject Endpoints()
        {
            var blob = _options.BlobEndpointTemplate.Replace("{account}", account.Name, StringComparison.Ordinal);
            var endpoints = new JsonObject { ["blob"] = blob };
            foreach (var service in _options.AzureStackStorage ? ["queue", "table"] : new[] { "web", "dfs", "file", "queue", "table" })
            {
                endpoints[service] = blob.Replace(".blob.", "." + service + ".", StringComparison.Ordinal);
            }

            return endpoints;
        }

        var geo = account.Sku.Contains("GRS", StringComparison.Ordinal);
        var properties = new JsonObject
        {
            ["isHnsEnabled"] = false,
            ["allowBlobPublicAccess"] = false,
            ["minimumTlsVersion"] = "TLS1_2",
            ["creationTime"] = created,
            ["networkAcls"] = new JsonObject
            {
                ["bypass"] = "AzureServices",
                ["defaultAction"] = "Allow",
                ["ipRules"] = new JsonArray(),
                ["virtualNetworkRules"] = new JsonArray(),
            },
            ["primaryEndpoints"] = Endpoints(),
            ["primaryLocation"] = account.Location,
            ["provisioningState"] = "Succeeded",
            ["encryption"] = new JsonObject
            {
                ["services"] = new JsonObject
                {
                    ["file"] = new JsonObject { ["keyType"] = "Account", ["enabled"] = true, ["lastEnabledTime"] = created },
                    ["blob"] = new JsonObject { ["keyType"] = "Account", ["enabled"] = true, ["lastEnabledTime"] = created },
                },
                ["requireInfrastructureEncryption"] = false,
                ["keySource"] = "Microsoft.Storage",
            },
            ["statusOfPrimary"] = "available",
            ["supportsHttpsTrafficOnly"] = true,
        };
        if (geo)
        {
            properties["secondaryLocation"] = account.Location + "2";
            properties["statusOfSecondary"] = "available";
            if (string.Equals(expand, "geoReplicationStats", StringComparison.OrdinalIgnoreCase))
            {
                properties["geoReplicationStats"] = new JsonObject { ["status"] = "Live", ["lastSyncTime"] = DateTimeOffset.UtcNow.AddMinutes(-5).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), ["canFailover"] = true };
            }
        }

        return new JsonObject
        {
            ["id"] = $"/subscriptions/{_options.SubscriptionId}/resourceGroups/{_options.ResourceGroup}/providers/Microsoft.Storage/storageAccounts/{account.Name}",
            ["kind"] = account.Kind,
            ["location"] = account.Location,
            ["name"] = account.Name,
            ["properties"] = properties,
            ["sku"] = new JsonObject { ["name"] = account.Sku, ["tier"] = account.Sku.StartsWith("Premium", StringComparison.Ordinal) ? "Premium" : "Standard" },
            ["tags"] = tags,
            ["type"] = "Microsoft.Storage/storageAccounts",
        };
    }
}

/// <summary>A storage account of the double.</summary>
internal sealed class ArmStorageAccount
{
    public required string Name { get; init; }

    public required string Sku { get; init; }

    /// <summary>Storage (general-purpose v1), StorageV2, BlobStorage, FileStorage or BlockBlobStorage.</summary>
    public required string Kind { get; init; }

    public required string Location { get; init; }

    public required Dictionary<string, string> Tags { get; init; }

    public required string Key { get; init; }

    public required string SecondKey { get; init; }

    /// <summary>When the create finishes; before that the account is not listed or found.</summary>
    public required DateTimeOffset Ready { get; init; }
}
