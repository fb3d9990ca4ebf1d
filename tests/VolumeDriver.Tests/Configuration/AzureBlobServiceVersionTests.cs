using VolumeDriver.Configuration;
using VolumeDriver.Errors;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Configuration;

/// <summary>azure.blobServiceVersion: the x-ms-version of blob-disk requests, one Azure Stack Hub serves by default.</summary>
public sealed class AzureBlobServiceVersionTests : IDisposable
{
    private readonly TempConfigDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Unset_IsTheNewestVersionAzureStackHubServes_AndTheShippedExampleSaysTheSame()
    {
        Assert.Equal("2019-07-07", (await LoadAsync("backend: azure\n").WithTimeout()).Azure.BlobServiceVersion);
        var example = await LoadAsync(File.ReadAllText(Path.Join(ConfigurationLoaderTests.FindRepositoryRoot(), "config", "azure.yaml"))).WithTimeout();
        Assert.Equal(BlobServiceVersions.Default, example.Azure.BlobServiceVersion);
        Assert.Equal(global::Azure.Storage.Blobs.BlobClientOptions.ServiceVersion.V2019_07_07, BlobServiceVersions.Parse(BlobServiceVersions.Default));
    }

    [Fact]
    public async Task AnotherVersionTheSdkSpeaks_IsTaken()
    {
        var configuration = await LoadAsync("backend: azure\nazure:\n  blobServiceVersion: \"2019-02-02\"\n").WithTimeout();

        Assert.Equal("2019-02-02", configuration.Azure.BlobServiceVersion);
    }

    [Theory]
    [InlineData("2017-11-09")]
    [InlineData("latest")]
    [InlineData("2019_07_07")]
    public async Task AVersionTheSdkDoesNotSpeak_IsAConfigurationErrorNamingTheKey(string version)
    {
        var e = await Assert.ThrowsAsync<ConfigurationException>(() => LoadAsync($"backend: azure\nazure:\n  blobServiceVersion: \"{version}\"\n")).WithTimeout();

        Assert.Equal("azure.blobServiceVersion", e.Key);
        Assert.Contains("2019-07-07", e.Message, StringComparison.Ordinal);
    }

    private async Task<DriverConfiguration> LoadAsync(string yaml)
    {
        var path = _temp.Write("config-" + Guid.NewGuid().ToString("N") + ".yaml", yaml);
        var loader = new ConfigurationLoader(new ConfigurationLocator(_ => null, _temp.PathOf("exe"), _temp.PathOf("etc/config.yaml")));
        return await loader.LoadAsync(path, CancellationToken.None).WithTimeout();
    }
}
