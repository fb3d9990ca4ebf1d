using VolumeDriver.CloudCalls;

namespace VolumeDriver.Backends.Azure.Blob;

/// <summary>
/// Where and how <see cref="StorageAccountClient"/> reaches Microsoft.Storage: ARM's endpoint, the
/// subscription and resource group whose accounts it manages, the api-version, and the retry knobs of
/// the one long-running call, the create's polls of its Location (Retry-After, else from 2 s, at most
/// 30 s apart, within 3 min). Ordinary requests are retried by the ARM pipeline's one retry layer
/// (<see cref="ArmRetryPolicy"/>), not here.
/// </summary>
internal sealed record StorageAccountClientOptions
{
    /// <summary>The version Azure Stack Hub serves as well as the public clouds.</summary>
    public const string DefaultApiVersion = "2019-06-01";

    /// <summary>How a create is polled: ARM usually needs 20-30 s; no jitter, the poll is one process's own.</summary>
    public static readonly RetrySchedule DefaultCreatePolls = new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30), maxAttempts: null, maxElapsed: TimeSpan.FromMinutes(3), jitter: 0);

    public StorageAccountClientOptions(Uri endpoint, string subscriptionId, string resourceGroup)
    {
        Endpoint = endpoint;
        SubscriptionId = subscriptionId;
        ResourceGroup = resourceGroup;
    }

    /// <summary>ARM's endpoint for the cloud (azure.json's cloud, or the Azure Stack Hub environment file).</summary>
    public Uri Endpoint { get; init; }

    public string SubscriptionId { get; init; }

    public string ResourceGroup { get; init; }

    public string ApiVersion { get; init; } = DefaultApiVersion;

    /// <summary>The create's polls; <see cref="RetrySchedule.MaxElapsed"/> is how long a create may take before it is a Failure.</summary>
    public RetrySchedule CreatePolls { get; init; } = DefaultCreatePolls;

    /// <summary>The options for the accounts of <paramref name="resourceGroup"/> in the cloud azure.json names.</summary>
    public static StorageAccountClientOptions For(AzureCloudConfig cloud, string resourceGroup) =>
        new(cloud.Environment.ResourceManagerEndpoint, cloud.SubscriptionId, resourceGroup);
}
