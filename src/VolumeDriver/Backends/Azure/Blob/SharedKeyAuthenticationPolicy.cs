using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;

namespace VolumeDriver.Backends.Azure.Blob;

/// <summary>
/// Signs every Blob service request with the account's Shared Key, as the Storage REST reference
/// ("Authorize with Shared Key") defines it for versions from 2015-02-21: the verb, the standard
/// headers in their fixed order (Content-Length empty when zero), the x-ms- headers lower-cased and
/// sorted, then the canonicalized resource: /account, the URI's path, and each query parameter
/// lower-cased and sorted. It runs on every retry, after the pipeline has added its own x-ms-
/// headers, so the x-ms-date and signature are fresh. The key never leaves this object.
/// </summary>
internal sealed class SharedKeyAuthenticationPolicy : HttpPipelineSynchronousPolicy
{
    private static readonly string[] StandardHeaders =
        ["Content-Encoding", "Content-Language", "Content-Length", "Content-MD5", "Content-Type", "Date", "If-Modified-Since", "If-Match", "If-None-Match", "If-Unmodified-Since", "Range"];

    private readonly string _account;
    private readonly byte[] _key;
    private readonly TimeProvider _timeProvider;

    public SharedKeyAuthenticationPolicy(string account, string base64Key, TimeProvider timeProvider)
    {
        _account = account;
        _key = Convert.FromBase64String(base64Key);
        _timeProvider = timeProvider;
    }

    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        request.Headers.SetValue("x-ms-date", _timeProvider.GetUtcNow().ToString("r", CultureInfo.InvariantCulture));
        var signature = Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(StringToSign(request))));
        request.Headers.SetValue("Authorization", $"SharedKey {_account}:{signature}");
    }

    /// <summary>The canonical string; internal so a test can check it against the reference's example.</summary>
    internal string StringToSign(Request request)
    {
        var builder = new StringBuilder();
        builder.Append(request.Method.Method.ToUpperInvariant()).Append('\n');
        foreach (var name in StandardHeaders)
        {
            var value = name == "Content-Length"
                ? (request.Content is { } content && content.TryComputeLength(out var length) && length > 0 ? length.ToString(CultureInfo.InvariantCulture) : string.Empty)
                : request.Headers.TryGetValue(name, out var header) ? header : string.Empty;
            builder.Append(value).Append('\n');
        }

        foreach (var header in request.Headers
            .Where(h => h.Name.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
            .Select(h => (Name: h.Name.ToLowerInvariant(), Value: h.Value.Trim()))
            .OrderBy(h => h.Name, StringComparer.Ordinal))
        {
            builder.Append(header.Name).Append(':').Append(header.Value).Append('\n');
        }

        var uri = request.Uri.ToUri();
        builder.Append('/').Append(_account).Append(uri.AbsolutePath);
        var parameters = uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .GroupBy(p => Uri.UnescapeDataString(p[0]).ToLowerInvariant(), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var parameter in parameters)
        {
            var values = parameter.Select(p => p.Length > 1 ? Uri.UnescapeDataString(p[1]) : string.Empty).Order(StringComparer.Ordinal);
            builder.Append('\n').Append(parameter.Key).Append(':').Append(string.Join(',', values));
        }

        return builder.ToString();
    }
}
