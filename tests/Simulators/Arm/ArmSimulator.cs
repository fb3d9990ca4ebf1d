using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Simulators.Arm;

/// <summary>
/// An Azure Resource Manager and Entra ID double on 127.0.0.1: the v2 token endpoint (client secret,
/// certificate assertion, federated assertion), the IMDS managed-identity endpoint (plain HTTP, as
/// IMDS is), the OpenID metadata MSAL may read, and ARM's virtual machine GET with ARM's error body.
/// Tokens are opaque and checked on every ARM call. It records which identities got tokens.
/// This is the first slice of the ARM double (issue 4): disks, VM updates and long-running
/// operations come next.
/// </summary>
public sealed partial class ArmSimulator : IAsyncDisposable
{
    private readonly ArmSimulatorOptions _options;
    private readonly SimulatorHost _host;
    private readonly ConcurrentDictionary<string, string> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _issued = new();

    private ArmSimulator(ArmSimulatorOptions options, SimulatorHost host)
    {
        _options = options;
        _host = host;
        BaseUri = host.HttpsUri;
        ImdsUri = host.HttpUri!;
        _examples = new ArmExampleBodies(options.SubscriptionId, options.ResourceGroup);
        foreach (var vm in options.Vms)
        {
            _vms[vm] = new ArmVm { Name = vm, VmId = Guid.NewGuid().ToString(), UnmanagedOsDisk = options.UnmanagedOsDiskVms.Contains(vm), Identity = IdentityOf(options, vm) };
        }

        foreach (var (scaleSet, count) in options.ScaleSets)
        {
            for (var instance = 0; instance < count; instance++)
            {
                var computerName = ScaleSetComputerName(scaleSet, instance);
                _vms[computerName] = new ArmVm { Name = computerName, VmId = Guid.NewGuid().ToString(), ScaleSet = scaleSet, InstanceId = instance.ToString(System.Globalization.CultureInfo.InvariantCulture), Identity = IdentityOf(options, computerName) };
            }
        }
    }

    private static string? IdentityOf(ArmSimulatorOptions options, string vm) =>
        options.VmIdentities.GetValueOrDefault(vm, "SystemAssigned, UserAssigned") is var type && type == "None" ? null : type;

    /// <summary>A scale-set instance's computer name: the scale set's name and the instance id in six base-36 digits.</summary>
    public static string ScaleSetComputerName(string scaleSet, int instance)
    {
        var digits = new char[6];
        for (var i = 5; i >= 0; i--)
        {
            var digit = instance % 36;
            digits[i] = (char)(digit < 10 ? '0' + digit : 'a' + digit - 10);
            instance /= 36;
        }

        return scaleSet + new string(digits);
    }

    /// <summary>https://127.0.0.1:PORT/: ARM's endpoint and the authority host.</summary>
    public Uri BaseUri { get; }

    /// <summary>http://127.0.0.1:PORT/: stands for http://169.254.169.254 (AZURE_POD_IDENTITY_AUTHORITY_HOST).</summary>
    public Uri ImdsUri { get; }

    public string CaCertificatePemPath => _host.Ca.CaPemPath;

    public ArmSimulatorOptions Options => _options;

    public RequestCounter Requests { get; } = new();

    /// <summary>Who got a token, as "client_secret:ID", "client_assertion:ID", "federated:ID" or "managed:ID".</summary>
    public IReadOnlyCollection<string> IssuedTokens => _issued;

    public static async Task<ArmSimulator> StartAsync(ArmSimulatorOptions options)
    {
        var host = await SimulatorHost.StartAsync(options.StateDirectory, httpsPort: 0, withPlainHttp: true);
        var simulator = new ArmSimulator(options, host);
        host.Serve(simulator.HandleAsync);
        return simulator;
    }

    /// <summary>An Azure Stack environment file (go-autorest's keys) that points the driver here.</summary>
    public string WriteEnvironmentFile() =>
        AzureStackEnvironmentFile.Write(Path.Join(_options.StateDirectory, "environment.json"), BaseUri);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await WaitForIdleAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            // Tear down regardless.
        }

        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }

        _blobHttp.Dispose();
        await _host.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        Requests.Count(request.Method, path);
        context.Response.Headers["x-ms-request-id"] = Guid.NewGuid().ToString();
        var tenant = "/" + _options.TenantId;
        if (request.Method == "POST" && (path == tenant + "/oauth2/v2.0/token" || path == tenant + "/oauth2/token"))
        {
            await TokenAsync(context);
        }
        else if (request.Method == "GET" && path.EndsWith("/.well-known/openid-configuration", StringComparison.Ordinal))
        {
            await WriteJsonAsync(context, 200, new JsonObject
            {
                ["token_endpoint"] = $"{BaseUri}{_options.TenantId}/oauth2/v2.0/token",
                ["authorization_endpoint"] = $"{BaseUri}{_options.TenantId}/oauth2/v2.0/authorize",
                ["issuer"] = $"{BaseUri}{_options.TenantId}/v2.0",
                ["token_endpoint_auth_methods_supported"] = new JsonArray("client_secret_post", "private_key_jwt"),
            });
        }
        else if (request.Method == "GET" && path == "/metadata/identity/oauth2/token")
        {
            await ImdsTokenAsync(context);
        }
        else if (path.StartsWith("/subscriptions/", StringComparison.Ordinal))
        {
            await ArmAsync(context, path);
        }
        else
        {
            await ArmErrorAsync(context, 404, "NotFound", $"The resource path {path} is not served by this double.");
        }
    }

    private async Task TokenAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync();
        var clientId = form["client_id"].ToString();
        var scope = form["scope"].ToString();
        if (form["grant_type"] != "client_credentials" || !scope.EndsWith("/.default", StringComparison.Ordinal))
        {
            await OAuthErrorAsync(context, "invalid_request", "AADSTS900144: client_credentials with a /.default scope is required.");
            return;
        }

        string kind;
        if (form["client_secret"].ToString() is { Length: > 0 } secret)
        {
            if (!_options.ClientSecrets.TryGetValue(clientId, out var expected) || expected != secret)
            {
                await OAuthErrorAsync(context, "invalid_client", $"AADSTS7000215: Invalid client secret provided for application '{clientId}'.");
                return;
            }

            kind = "client_secret";
        }
        else if (form["client_assertion"].ToString() is { Length: > 0 } assertion)
        {
            var checkedKind = CheckAssertion(clientId, assertion);
            if (checkedKind is null)
            {
                await OAuthErrorAsync(context, "invalid_client", $"AADSTS700027: Client assertion failed signature validation for '{clientId}'.");
                return;
            }

            kind = checkedKind;
        }
        else
        {
            await OAuthErrorAsync(context, "invalid_client", "AADSTS7000216: 'client_assertion', 'client_secret' or 'request' is required.");
            return;
        }

        _issued.Enqueue($"{kind}:{clientId}");
        await WriteJsonAsync(context, 200, new JsonObject
        {
            ["token_type"] = "Bearer",
            ["expires_in"] = 3599,
            ["ext_expires_in"] = 3599,
            ["access_token"] = Issue(clientId),
        });
    }

    /// <summary>A certificate assertion must be signed by the registered certificate; a federated one is accepted for registered clients.</summary>
    private string? CheckAssertion(string clientId, string assertion)
    {
        var parts = assertion.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        if (_options.ClientCertificates.TryGetValue(clientId, out var certificate))
        {
            using var rsa = certificate.GetRSAPublicKey();
            var signature = Base64UrlDecode(parts[2]);
            var signed = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
            var padding = JsonDocument.Parse(Base64UrlDecode(parts[0])).RootElement.GetProperty("alg").GetString() == "PS256" ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
            return rsa is not null && rsa.VerifyData(signed, signature, HashAlgorithmName.SHA256, padding) ? "client_assertion" : null;
        }

        return _options.FederatedClients.Contains(clientId) ? "federated" : null;
    }

    private async Task ImdsTokenAsync(HttpContext context)
    {
        if (context.Request.Headers["Metadata"] != "true")
        {
            await WriteJsonAsync(context, 400, new JsonObject { ["error"] = "invalid_request", ["error_description"] = "Required metadata header not specified" });
            return;
        }

        var clientId = context.Request.Query["client_id"].ToString();
        var identity = clientId.Length == 0 ? "system" : clientId;
        if (!_options.ManagedIdentities.Contains(identity))
        {
            await WriteJsonAsync(context, 400, new JsonObject { ["error"] = "invalid_request", ["error_description"] = "Identity not found" });
            return;
        }

        _issued.Enqueue("managed:" + identity);
        var now = DateTimeOffset.UtcNow;
        var expires = now.AddHours(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        await WriteJsonAsync(context, 200, new JsonObject
        {
            ["access_token"] = Issue(identity),
            ["client_id"] = identity,
            ["expires_in"] = "3599",
            ["expires_on"] = expires,
            ["ext_expires_in"] = "3599",
            ["not_before"] = now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["resource"] = context.Request.Query["resource"].ToString(),
            ["token_type"] = "Bearer",
        });
    }

    private async Task ArmAsync(HttpContext context, string path)
    {
        if (context.Request.Query["api-version"].ToString().Length == 0)
        {
            await ArmErrorAsync(context, 400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
            return;
        }

        var authorization = context.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal) || !_tokens.ContainsKey(authorization[7..]))
        {
            context.Response.Headers.WWWAuthenticate = $"Bearer authorization_uri=\"{BaseUri}{_options.TenantId}\", error=\"invalid_token\"";
            await ArmErrorAsync(context, 401, "InvalidAuthenticationToken", "The access token is invalid.");
            return;
        }

        var throttled = InjectedFault(context, path);
        RateLimitHeaders(context, path, throttled?.Status == 429);
        if (throttled is { } fault)
        {
            await WriteFaultAsync(context, fault);
            return;
        }

        if (Latency > TimeSpan.Zero)
        {
            await Task.Delay(Latency);
        }

        var group = $"/subscriptions/{_options.SubscriptionId}/resourceGroups/{_options.ResourceGroup}";
        if (context.Request.Method == "GET" && string.Equals(path, group, StringComparison.OrdinalIgnoreCase))
        {
            await WriteJsonAsync(context, 200, new JsonObject
            {
                ["id"] = group,
                ["name"] = _options.ResourceGroup,
                ["type"] = "Microsoft.Resources/resourceGroups",
                ["location"] = _options.Location,
                ["properties"] = new JsonObject { ["provisioningState"] = "Succeeded" },
            });
            return;
        }

        if (path.Contains("/providers/Microsoft.Storage/", StringComparison.OrdinalIgnoreCase))
        {
            await StorageAsync(context, path);
            return;
        }

        await ComputeAsync(context, path);
    }

    private string Issue(string principal)
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        _tokens[token] = principal;
        return token;
    }

    private static byte[] Base64UrlDecode(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - (padded.Length % 4)) % 4);
        return Convert.FromBase64String(padded);
    }

    /// <summary>The v2 endpoint's error body: error, error_description (AADSTS code first), error_codes, timestamp, trace_id, correlation_id, error_uri.</summary>
    private static Task OAuthErrorAsync(HttpContext context, string error, string description)
    {
        var code = int.Parse(description.AsSpan(6, description.IndexOf(':', StringComparison.Ordinal) - 6), System.Globalization.CultureInfo.InvariantCulture);
        return WriteJsonAsync(context, error == "invalid_client" ? 401 : 400, new JsonObject
        {
            ["error"] = error,
            ["error_description"] = description,
            ["error_codes"] = new JsonArray(code),
            ["timestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["trace_id"] = Guid.NewGuid().ToString(),
            ["correlation_id"] = Guid.NewGuid().ToString(),
            ["error_uri"] = "https://login.microsoftonline.com/error?code=" + code.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    private static Task ArmErrorAsync(HttpContext context, int status, string code, string message) =>
        WriteJsonAsync(context, status, new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } });

    private static async Task WriteJsonAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(body.ToJsonString());
    }
}
