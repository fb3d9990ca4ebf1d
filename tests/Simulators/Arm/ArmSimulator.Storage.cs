using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Simulators.Arm;

/// <summary>
/// Microsoft.Storage/storageAccounts as ARM answers it (shapes from the recorded session
/// StorageAccountCreateTest.json and the REST reference, /shared/reference/azure.md §4.4): PUT of a
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
                list = [.. _storageAccounts.Values.Where(a => a.Ready <= DateTimeOffset.UtcNow).Select(StorageAccountJson)];
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
                    account = _storageAccounts.TryGetValue(name, out var a) && a.Ready <= DateTimeOffset.UtcNow ? StorageAccountJson(a) : null;
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
                            new JsonObject { ["keyName"] = "key1", ["value"] = keyed.Key, ["permissions"] = "FULL" },
                            new JsonObject { ["keyName"] = "key2", ["value"] = keyed.SecondKey, ["permissions"] = "FULL" }),
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
        if (sku is not ("Standard_LRS" or "Premium_LRS" or "Standard_GRS" or "Standard_RAGRS" or "Standard_ZRS" or "Premium_ZRS"))
        {
            await ArmErrorAsync(context, 400, "InvalidValuesForRequestParameters", $"Values for request parameters are invalid: sku.name ('{sku}').");
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

    private JsonObject StorageAccountJson(ArmStorageAccount account)
    {
        var tags = new JsonObject();
        foreach (var (key, value) in account.Tags)
        {
            tags[key] = value;
        }

        return new JsonObject
        {
            ["id"] = $"/subscriptions/{_options.SubscriptionId}/resourceGroups/{_options.ResourceGroup}/providers/Microsoft.Storage/storageAccounts/{account.Name}",
            ["name"] = account.Name,
            ["type"] = "Microsoft.Storage/storageAccounts",
            ["location"] = account.Location,
            ["tags"] = tags,
            ["sku"] = new JsonObject { ["name"] = account.Sku, ["tier"] = account.Sku.StartsWith("Premium", StringComparison.Ordinal) ? "Premium" : "Standard" },
            ["kind"] = "StorageV2",
            ["properties"] = new JsonObject
            {
                ["provisioningState"] = "Succeeded",
                ["creationTime"] = account.Ready.ToString("o", CultureInfo.InvariantCulture),
                ["primaryLocation"] = account.Location,
                ["statusOfPrimary"] = "available",
                ["supportsHttpsTrafficOnly"] = true,
                ["minimumTlsVersion"] = "TLS1_2",
                ["allowBlobPublicAccess"] = false,
                ["primaryEndpoints"] = new JsonObject { ["blob"] = _options.BlobEndpointTemplate.Replace("{account}", account.Name, StringComparison.Ordinal) },
            },
        };
    }
}

/// <summary>A storage account of the double.</summary>
internal sealed class ArmStorageAccount
{
    public required string Name { get; init; }

    public required string Sku { get; init; }

    public required string Location { get; init; }

    public required Dictionary<string, string> Tags { get; init; }

    public required string Key { get; init; }

    public required string SecondKey { get; init; }

    /// <summary>When the create finishes; before that the account is not listed or found.</summary>
    public required DateTimeOffset Ready { get; init; }
}
