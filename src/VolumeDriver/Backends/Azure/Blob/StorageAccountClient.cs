using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using VolumeDriver.Backends.Azure.Blob.Models;
using VolumeDriver.CloudCalls;

namespace VolumeDriver.Backends.Azure.Blob;

/// <summary>
/// Microsoft.Storage/storageAccounts through an Azure.Core <see cref="HttpPipeline"/> to ARM, where
/// and how its <see cref="StorageAccountClientOptions"/> say (by default api-version 2019-06-01,
/// which Azure Stack Hub serves as well as the public clouds). A create
/// answers 202 with a Location to poll (202 while running, then 200 with the account), as ARM's
/// recorded sessions show; errors are ARM's {"error":{code,message}} turned into a
/// <see cref="CloudRequestException"/> that names them and ARM's request and correlation ids.
/// </summary>
internal sealed class StorageAccountClient : IStorageAccounts
{
    /// <summary>
    /// General-purpose v1: the only kind Azure Stack Hub serves ("Azure Stack Hub storage:
    /// Differences and considerations"), where blob disks live; page blobs work in it everywhere.
    /// </summary>
    public const string Kind = "Storage";

    private readonly HttpPipeline _pipeline;
    private readonly StorageAccountClientOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly RetryLoop _retry;

    // What this client has learnt, for the rest of its life: one verb, as every verb is its own process.
    // A provision asks for the index account and its key up to three times; within a verb an account
    // changes only through this client, which keeps these current.
    private readonly ConcurrentDictionary<string, StorageAccount> _known = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _keys = new(StringComparer.Ordinal);

    public StorageAccountClient(HttpPipeline pipeline, StorageAccountClientOptions options, TimeProvider timeProvider)
    {
        _pipeline = pipeline;
        _options = options;
        _timeProvider = timeProvider;
        _retry = new RetryLoop(timeProvider);
    }

    public async Task<StorageAccount?> GetAsync(string name, CancellationToken cancellationToken)
    {
        if (_known.TryGetValue(name, out var known))
        {
            return known;
        }

        using var message = Message(RequestMethod.Get, AccountUri(name));
        var response = await SendAsync(message, [200, 404], cancellationToken);
        return response.Status == 404 ? null : Remember(Parse(response.Content));
    }

    public async IAsyncEnumerable<StorageAccount> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Uri? next = Collection();
        while (next is not null)
        {
            using var message = Message(RequestMethod.Get, next);
            var response = await SendAsync(message, [200], cancellationToken);
            var page = JsonSerializer.Deserialize(response.Content.ToStream(), StorageJsonContext.Default.StorageAccountListJson)
                ?? throw new InvalidOperationException("ARM answered the storage account list with an empty body");
            foreach (var account in page.Value ?? [])
            {
                yield return Remember(ToAccount(account));
            }

            next = page.NextLink is { Length: > 0 } link ? new Uri(link) : null;
        }
    }

    public async Task<StorageAccount> CreateAsync(string name, string sku, string location, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        var body = new StorageAccountCreateJson(
            new StorageSkuJson(sku),
            Kind,
            location,
            tags.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal),
            new StorageCreatePropertiesJson(SupportsHttpsTrafficOnly: true, MinimumTlsVersion: "TLS1_2", AllowBlobPublicAccess: false));
        using var message = Message(RequestMethod.Put, AccountUri(name));
        message.Request.Headers.SetValue("Content-Type", "application/json");
        message.Request.Content = RequestContent.Create(JsonSerializer.SerializeToUtf8Bytes(body, StorageJsonContext.Default.StorageAccountCreateJson));
        var response = await SendAsync(message, [200, 201, 202], cancellationToken);

        // The long-running create: poll the Location ARM gave (every Retry-After, at most the schedule's longest delay) within its budget.
        var pending = response;
        response = await _retry.RunAsync(
            _options.CreatePolls,
            null,
            async token =>
            {
                if (pending.Status != 202)
                {
                    return pending;
                }

                var location202 = pending.Headers.TryGetValue("Location", out var header) && header is not null
                    ? new Uri(header)
                    : AccountUri(name);
                using var poll = Message(RequestMethod.Get, location202);
                return pending = await SendAsync(poll, [200, 201, 202], token);
            },
            attempt => attempt.Result?.Status == 202,
            RetryAfterOf,
            null,
            cancellationToken);
        if (response.Status == 202)
        {
            throw new CloudRequestException(CloudService.Arm, "PUT " + AccountUri(name).AbsolutePath, 202, "Timeout", RequestIds(response), $"ARM did not finish creating storage account {name} within {_options.CreatePolls.MaxElapsed?.TotalSeconds:0} s");
        }

        // The final answer of the Location poll is the account; a re-PUT's 200 is too. Read it once more
        // when ARM answered without a body.
        _known.TryRemove(name, out _);
        var account = response.Content.ToMemory().Length > 0 ? Remember(Parse(response.Content)) : await GetAsync(name, cancellationToken);
        return account ?? throw new CloudRequestException(CloudService.Arm, "GET " + AccountUri(name).AbsolutePath, 404, "NotFound", CloudRequestIds.None, $"storage account {name} was created but ARM does not find it");
    }

    public async Task<string> GetKeyAsync(string name, CancellationToken cancellationToken)
    {
        if (_keys.TryGetValue(name, out var known))
        {
            return known;
        }

        using var message = Message(RequestMethod.Post, AccountUri(name, "/listKeys"));
        message.Request.Content = RequestContent.Create(ReadOnlyMemory<byte>.Empty);
        var response = await SendAsync(message, [200], cancellationToken);
        var keys = JsonSerializer.Deserialize(response.Content.ToStream(), StorageJsonContext.Default.StorageKeysJson);
        var key = keys?.Keys?.FirstOrDefault(k => string.Equals(k.Permissions, "FULL", StringComparison.OrdinalIgnoreCase) && k.Value is { Length: > 0 })?.Value
            ?? throw new CloudRequestException(CloudService.Arm, "POST " + AccountUri(name, "/listKeys").AbsolutePath, 200, "NoKey", RequestIds(response), $"storage account {name} has no key with full permissions (is Shared Key access disabled on it?)");
        _keys[name] = key;
        return key;
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        _known.TryRemove(name, out _);
        _keys.TryRemove(name, out _);
        using var message = Message(RequestMethod.Delete, AccountUri(name));
        var response = await SendAsync(message, [200, 204], cancellationToken);
        return response.Status == 200;
    }

    /// <summary>Keeps a provisioned account; one still being created is read again next time.</summary>
    private StorageAccount Remember(StorageAccount account)
    {
        if (string.Equals(account.ProvisioningState, "Succeeded", StringComparison.OrdinalIgnoreCase))
        {
            _known[account.Name] = account;
        }

        return account;
    }

    /// <summary>The poll interval a 202 asks for (Retry-After, in seconds or as a date), else the default.</summary>
    private TimeSpan? RetryAfterOf(Response response) =>
        RetryAfter.Parse(response.Headers.TryGetValue(RetryAfter.Header, out var text) ? text : null, _timeProvider.GetUtcNow()) ?? _options.CreatePolls.FirstDelay;

    private static CloudRequestIds RequestIds(Response response) =>
        CloudRequestIds.From(CloudService.Arm, name => response.Headers.TryGetValue(name, out var value) ? value : null);

    private static StorageAccount Parse(BinaryData content) =>
        ToAccount(JsonSerializer.Deserialize(content.ToStream(), StorageJsonContext.Default.StorageAccountJson)
            ?? throw new InvalidOperationException("ARM answered with an empty storage account"));

    private static StorageAccount ToAccount(StorageAccountJson json) => new(
        json.Name ?? string.Empty,
        json.Sku?.Name ?? string.Empty,
        json.Location ?? string.Empty,
        json.Tags ?? new Dictionary<string, string>(),
        json.Properties?.ProvisioningState,
        json.Properties?.PrimaryEndpoints?.Blob is { Length: > 0 } blob ? new Uri(blob) : null,
        json.Id ?? string.Empty);

    private Uri Collection() => new(_options.Endpoint, $"subscriptions/{_options.SubscriptionId}/resourceGroups/{_options.ResourceGroup}/providers/Microsoft.Storage/storageAccounts?api-version={_options.ApiVersion}");

    private Uri AccountUri(string name, string action = "") => new(_options.Endpoint, $"subscriptions/{_options.SubscriptionId}/resourceGroups/{_options.ResourceGroup}/providers/Microsoft.Storage/storageAccounts/{Uri.EscapeDataString(name)}{action}?api-version={_options.ApiVersion}");

    private HttpMessage Message(RequestMethod method, Uri uri)
    {
        var message = _pipeline.CreateMessage();
        message.Request.Method = method;
        message.Request.Uri.Reset(uri);
        return message;
    }

    private async Task<Response> SendAsync(HttpMessage message, int[] success, CancellationToken cancellationToken)
    {
        await _pipeline.SendAsync(message, cancellationToken);
        var response = message.Response;
        if (success.Contains(response.Status))
        {
            return response;
        }

        ArmErrorJson? error = null;
        try
        {
            error = JsonSerializer.Deserialize(response.Content.ToStream(), StorageJsonContext.Default.ArmErrorEnvelopeJson)?.Error;
        }
        catch (JsonException)
        {
            // Not ARM's error body (a proxy's page): the status says enough.
        }

        throw new CloudRequestException(
            CloudService.Arm,
            $"{message.Request.Method.Method} {message.Request.Uri.Path}",
            response.Status,
            error?.Code,
            RequestIds(response),
            $"ARM answered {response.Status} {error?.Code} for {message.Request.Method.Method} {message.Request.Uri.Path}: {error?.Message ?? response.ReasonPhrase}");
    }
}
