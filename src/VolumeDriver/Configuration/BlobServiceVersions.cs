using Azure.Storage.Blobs;

namespace VolumeDriver.Configuration;

/// <summary>
/// The Blob service version (x-ms-version) blob disks speak. Azure.Storage.Blobs sends its newest
/// by default, which Azure Stack Hub refuses with 400 InvalidHeaderValue (azure-sdk-for-net#12557).
/// Azure Stack Hub's storage documentation ("Get started with Azure Stack Hub storage development
/// tools", update 2008 and newer) has .NET clients pin 2019-07-07, the newest of its list; that is
/// the default. The oldest Azure.Storage.Blobs can speak is 2019-02-02.
/// </summary>
internal static class BlobServiceVersions
{
    public const string Default = "2019-07-07";

    /// <summary>Reads a version spelled as the REST API spells it (2019-07-07); false when the SDK has no such version.</summary>
    public static bool TryParse(string text, out BlobClientOptions.ServiceVersion version)
    {
        foreach (var known in Enum.GetValues<BlobClientOptions.ServiceVersion>())
        {
            if (Text(known) == text.Trim())
            {
                version = known;
                return true;
            }
        }

        version = default;
        return false;
    }

    public static BlobClientOptions.ServiceVersion Parse(string text) =>
        TryParse(text, out var version) ? version : throw new ArgumentException($"'{text}' is not a Blob service version Azure.Storage.Blobs speaks; allowed: {string.Join(", ", Known())}", nameof(text));

    /// <summary>Every version the SDK speaks, oldest first, as the REST API spells them.</summary>
    public static IEnumerable<string> Known() => Enum.GetValues<BlobClientOptions.ServiceVersion>().Order().Select(Text);

    /// <summary>V2019_07_07 as 2019-07-07.</summary>
    public static string Text(BlobClientOptions.ServiceVersion version) => version.ToString().TrimStart('V').Replace('_', '-');
}
