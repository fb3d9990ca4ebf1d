namespace VolumeDriver.Configuration;

/// <summary>The Azure backend: the cloud-provider file, and a CA bundle for clouds with a private CA (Azure Stack Hub).</summary>
/// <param name="CloudConfigFile">azure.json (cloud-provider-azure's file).</param>
/// <param name="CaCertificateFile">PEM CAs to trust for ARM and the token authority instead of the system's, or null.</param>
/// <param name="StateDirectory">Root-only directory for the volume records (a PV whose disk is named apart from it).</param>
/// <param name="DrainWait">How long attach waits for a disk still attached to another VM to be freed.</param>
/// <param name="BlobServiceVersion">The x-ms-version of blob-disk requests: one Azure Stack Hub serves (it refuses newer ones).</param>
internal sealed record AzureConfiguration(string CloudConfigFile, string? CaCertificateFile, string StateDirectory = AzureConfiguration.DefaultStateDirectory, TimeSpan? DrainWait = null, string BlobServiceVersion = BlobServiceVersions.Default)
{
    public const string DefaultStateDirectory = "/var/lib/volume-driver/azure";

    public static AzureConfiguration Defaults { get; } = new("/etc/kubernetes/azure.json", null);

    public TimeSpan DrainWaitOrDefault => DrainWait ?? TimeSpan.FromSeconds(60);
}
