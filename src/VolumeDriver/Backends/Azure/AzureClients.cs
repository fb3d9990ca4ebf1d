using System.Security.Cryptography.X509Certificates;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.ResourceManager;
using VolumeDriver.Configuration;
using VolumeDriver.Errors;
using VolumeDriver.Host;

namespace VolumeDriver.Backends.Azure;

/// <summary>
/// The Azure SDK clients of one invocation: azure.json read once, its credential, and an
/// <see cref="ArmClient"/> aimed at the cloud's ARM endpoint and token audience. With azure.caCert
/// both the token requests and ARM trust only those CAs (Azure Stack Hub with a private CA; the
/// test doubles); otherwise the system's store.
/// </summary>
internal sealed class AzureClients
{
    private readonly HttpPipelineTransport? _transport;
    private readonly HttpPipelinePolicy? _logPolicy;
    private readonly TimeProvider _timeProvider;

    private AzureClients(AzureCloudConfig cloud, AzureCredentialChoice credential, ArmClient arm, HttpPipelineTransport? transport, HttpPipelinePolicy? logPolicy, TimeProvider timeProvider)
    {
        Cloud = cloud;
        Credential = credential;
        Arm = arm;
        _transport = transport;
        _logPolicy = logPolicy;
        _timeProvider = timeProvider;
    }

    public AzureCloudConfig Cloud { get; }

    public AzureCredentialChoice Credential { get; }

    public ArmClient Arm { get; }

    /// <summary>The clock every ARM wait runs on: the retries' (<see cref="ArmRetryPolicy"/>) and the long-running operations' polls (<see cref="ArmOperations"/>).</summary>
    public TimeProvider TimeProvider => _timeProvider;

    /// <param name="timeProvider">The clock the ARM retries wait on (<see cref="ArmRetryPolicy"/>).</param>
    /// <param name="logger">Where one line per ARM request goes; null logs nothing.</param>
    public static AzureClients Create(AzureConfiguration configuration, Func<string, string?> getEnvironmentVariable, TimeProvider timeProvider, Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        var cloud = AzureCloudConfig.Load(configuration.CloudConfigFile, getEnvironmentVariable);
        var transport = configuration.CaCertificateFile is { } ca ? TrustingOnly(ca) : null;
        var credential = AzureCredentialFactory.Create(cloud, getEnvironmentVariable, transport);
        var options = new ArmClientOptions
        {
            Environment = new ArmEnvironment(cloud.Environment.ResourceManagerEndpoint, cloud.Environment.TokenAudience),
            RetryPolicy = new ArmRetryPolicy(timeProvider),
        };
        if (transport is not null)
        {
            options.Transport = transport;
        }

        var logPolicy = logger is null ? null : new ArmRequestLogPolicy(logger);
        if (logPolicy is not null)
        {
            options.AddPolicy(logPolicy, HttpPipelinePosition.PerRetry);
        }

        return new AzureClients(cloud, credential, new ArmClient(credential.Credential, cloud.SubscriptionId, options), transport, logPolicy, timeProvider);
    }

    /// <summary>
    /// A pipeline to ARM for the resource providers no SDK package here covers (Microsoft.Storage):
    /// the same credential, trust, per-request log line and retry policy (<see cref="ArmRetryPolicy"/>,
    /// Retry-After honoured) as the ArmClient.
    /// </summary>
    public HttpPipeline CreateArmPipeline() => HttpPipelineBuilder.Build(
        Options(),
        [],
        _logPolicy is null
            ? [new BearerTokenAuthenticationPolicy(Credential.Credential, Cloud.Environment.ArmScope)]
            : [new BearerTokenAuthenticationPolicy(Credential.Credential, Cloud.Environment.ArmScope), _logPolicy],
        new ResponseClassifier());

    /// <summary>Client options with this invocation's transport (the CA trust of azure.caCert) and the ARM retry policy, for the pipelines built here.</summary>
    public ClientOptions Options()
    {
        var options = new PipelineOptions { RetryPolicy = new ArmRetryPolicy(_timeProvider) };
        if (_transport is not null)
        {
            options.Transport = _transport;
        }

        return options;
    }

    /// <summary>The per-request log line policy, for the blob pipelines.</summary>
    public HttpPipelinePolicy? LogPolicy => _logPolicy;

    /// <summary>Blob client options pinned to <paramref name="serviceVersion"/>, with this invocation's transport and log line, retrying on this invocation's clock.</summary>
    public global::Azure.Storage.Blobs.BlobClientOptions BlobOptions(string serviceVersion) =>
        Blob.PageBlobStore.Options(BlobServiceVersions.Parse(serviceVersion), _timeProvider, _transport, _logPolicy);

    private sealed class PipelineOptions : ClientOptions;

    /// <summary>Asks for an ARM token: the cheapest proof that the identity in azure.json works.</summary>
    public async Task<AccessToken> GetArmTokenAsync(CancellationToken cancellationToken) =>
        await Credential.Credential.GetTokenAsync(new TokenRequestContext([Cloud.Environment.ArmScope]), cancellationToken);

    private static HttpClientTransport TrustingOnly(string caFile)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(caFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new ConfigurationException(caFile, ConfigurationKeys.Azure + "." + ConfigurationKeys.CaCertificate, $"azure.caCert '{caFile}' cannot be read as PEM certificates: {e.Message}", e);
        }

        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) };
        handler.SslOptions.RemoteCertificateValidationCallback = TlsTrust.OnlyRoots(roots);
        return new HttpClientTransport(new HttpClient(handler));
    }
}
