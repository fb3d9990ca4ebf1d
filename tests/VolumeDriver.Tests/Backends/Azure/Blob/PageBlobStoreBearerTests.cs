using System.Net.Http;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;
using Simulators;
using VolumeDriver.Backends.Azure;
using VolumeDriver.Backends.Azure.Blob;
using VolumeDriver.Configuration;
using VolumeDriver.CloudCalls;
using VolumeDriver.Host;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Backends.Azure.Blob;

/// <summary>
/// The Blob client with an Entra ID bearer token instead of Shared Key (for accounts whose keys are
/// disabled), against Azurite over HTTPS with OAuth: Azurite checks the token's lifetime, issuer and
/// audience, and refuses bearer tokens over plain HTTP.
/// </summary>
public sealed class PageBlobStoreBearerTests : IAsyncLifetime
{
    private const string Account = "k8sblobbearer01";

    private string _directory = null!;
    private TestCertificateAuthority _ca = null!;
    private AzuriteServer? _azurite;

    public async Task InitializeAsync()
    {
        _directory = Directory.CreateTempSubdirectory("vd-bearer-").FullName;
        _ca = TestCertificateAuthority.Create(_directory);
        _azurite = AzuriteServer.MissingReason is null ? await AzuriteServer.StartWithOAuthAsync(_ca, Account).WithTimeout() : null;
    }

    public async Task DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync().WithTimeout();
        }

        _ca.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private PageBlobStore Client(string audience)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = TlsTrust.OnlyRoots([_ca.CaCertificate]);
        var options = PageBlobStore.Options(BlobServiceVersions.Parse(BlobServiceVersions.Default), TimeProvider.System, new HttpClientTransport(new HttpClient(handler)), retries: AzuriteServer.NoRetries);
        return PageBlobStore.WithToken(Account, new UnsignedJwtCredential(audience), new BlobEndpoint(_azurite!.EndpointTemplate), options);
    }

    [AzuriteFact]
    public async Task ABearerTokenForStorage_WritesAndReadsAVhd()
    {
        var store = Client("https://storage.azure.com");
        var footer = VhdFooter.Create(1 << 20, DateTimeOffset.UtcNow, Guid.NewGuid());

        await store.CreateContainerAsync("vhds", CancellationToken.None).WithTimeout();
        Assert.True(await store.CreatePageBlobAsync("vhds", "pv-token.vhd", (1 << 20) + VhdFooter.Size, CancellationToken.None).WithTimeout());
        await store.WritePagesAsync("vhds", "pv-token.vhd", 1 << 20, footer, CancellationToken.None).WithTimeout();

        Assert.Equal(footer, await store.ReadAsync("vhds", "pv-token.vhd", 1 << 20, VhdFooter.Size, CancellationToken.None).WithTimeout());
        Assert.Equal("https", store.BlobUri("vhds", "pv-token.vhd").Scheme);
    }

    [AzuriteFact]
    public async Task ATokenForAnotherAudience_IsRefused()
    {
        var store = Client("https://management.azure.com");

        var e = await Assert.ThrowsAsync<CloudRequestException>(() => store.CreateContainerAsync("vhds", CancellationToken.None)).WithTimeout();

        Assert.Equal((403, "AuthenticationFailed"), (e.Status, e.ErrorCode));
    }

    /// <summary>An Entra ID-shaped access token (what Azurite's basic OAuth reads), unsigned, as Azurite does not check signatures.</summary>
    private sealed class UnsignedJwtCredential(string audience) : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            var now = DateTimeOffset.UtcNow;
            var claims = $$"""{"aud":"{{audience}}","iss":"https://sts.windows.net/00000000-0000-0000-0000-000000000001/","iat":{{now.AddMinutes(-1).ToUnixTimeSeconds()}},"nbf":{{now.AddMinutes(-1).ToUnixTimeSeconds()}},"exp":{{now.AddHours(1).ToUnixTimeSeconds()}},"scp":"user_impersonation"}""";
            var token = Base64Url("""{"alg":"none","typ":"JWT"}""") + "." + Base64Url(claims) + ".";
            return new AccessToken(token, now.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));

        private static string Base64Url(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
