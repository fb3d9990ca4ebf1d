using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;

namespace VolumeDriver.Backends.Azure;

/// <summary>The credential azure.json describes, and which kind it is (for logs and doctor; never the secret).</summary>
internal sealed record AzureCredentialChoice(TokenCredential Credential, string Kind);
