using Azure.ResourceManager.Compute.Models;
using VolumeDriver.Domain;
using VolumeDriver.Errors;

namespace VolumeDriver.Backends.Azure.Blob;

/// <summary>The options of a blob-disk volume: kind, SKU (Standard_LRS or Premium_LRS), caching, and an existing VHD's URI.</summary>
internal sealed record BlobDiskOptions(string DiskName, bool Dedicated, string Sku, CachingType Caching, Uri? ExistingVhd)
{
    private static readonly string[] Skus = ["Standard_LRS", "Premium_LRS"];

    public static bool IsBlobKind(DiskRequest request) =>
        request.Options.GetValueOrDefault(AzureDiskOptions.KindOption) is { } kind
        && (kind.Equals("shared", StringComparison.OrdinalIgnoreCase) || kind.Equals("dedicated", StringComparison.OrdinalIgnoreCase));

    public static BlobDiskOptions From(DiskRequest request)
    {
        var options = request.Options;
        var skuText = options.GetValueOrDefault(AzureDiskOptions.SkuOption) is { Length: > 0 } s ? s : options.GetValueOrDefault(AzureDiskOptions.LegacySkuOption);
        var sku = skuText is { Length: > 0 }
            ? Skus.FirstOrDefault(allowed => allowed.Equals(skuText, StringComparison.OrdinalIgnoreCase))
                ?? throw new InvalidOptionException(AzureDiskOptions.SkuOption, $"skuname '{PrintableText.Of(skuText)}' is not a blob-disk SKU; allowed: {string.Join(", ", Skus)}")
            : "Standard_LRS";
        var caching = CachingType.None;
        if (options.GetValueOrDefault(AzureDiskOptions.CachingOption) is { Length: > 0 } cachingText)
        {
            caching = new[] { CachingType.None, CachingType.ReadOnly, CachingType.ReadWrite }.FirstOrDefault(c => c.ToString().Equals(cachingText, StringComparison.OrdinalIgnoreCase), (CachingType)(-1));
            if ((int)caching < 0)
            {
                throw new InvalidOptionException(AzureDiskOptions.CachingOption, $"cachingmode '{PrintableText.Of(cachingText)}' is not allowed; allowed: None, ReadOnly, ReadWrite");
            }
        }

        Uri? existing = null;
        if (options.GetValueOrDefault(AzureDiskOptions.DiskUriOption) is { Length: > 0 } uriText)
        {
            existing = Uri.TryCreate(uriText, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" && uri.AbsolutePath.EndsWith(".vhd", StringComparison.OrdinalIgnoreCase)
                ? uri
                : throw new InvalidOptionException(AzureDiskOptions.DiskUriOption, $"diskURI '{PrintableText.Of(uriText)}' is not a VHD blob's URI (https://<account>.blob.<suffix>/<container>/<name>.vhd)");
        }

        var name = options.GetValueOrDefault(AzureDiskOptions.DiskNameOption) is { Length: > 0 } diskName ? diskName.Replace(".vhd", string.Empty, StringComparison.OrdinalIgnoreCase) : request.Name.Value;
        var dedicated = options[AzureDiskOptions.KindOption].Equals("dedicated", StringComparison.OrdinalIgnoreCase);
        return new BlobDiskOptions(name, dedicated, sku, caching, existing);
    }
}
