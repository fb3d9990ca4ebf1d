using Azure.ResourceManager.Compute.Models;
using VolumeDriver.Domain;
using VolumeDriver.Errors;

namespace VolumeDriver.Backends.Azure;

/// <summary>
/// A volume's Azure options, with the original plugin's names: <c>diskName</c> or <c>diskURI</c> for
/// an existing disk, <c>kind</c>, <c>skuname</c> (or <c>storageaccounttype</c>), <c>cachingmode</c>,
/// <c>resourceGroup</c>, <c>location</c>, <c>zones</c>. An invalid value is a Failure naming the option
/// and the allowed values.
/// </summary>
internal sealed record AzureDiskOptions(string DiskName, string? ResourceGroup, string? Location, DiskStorageAccountType Sku, CachingType? Caching, IReadOnlyList<string> Zones)
{
    public const string DiskNameOption = "diskName";
    public const string DiskUriOption = "diskURI";
    public const string KindOption = "kind";
    public const string SkuOption = "skuname";
    public const string LegacySkuOption = "storageaccounttype";
    public const string CachingOption = "cachingmode";
    public const string ResourceGroupOption = "resourceGroup";
    public const string LocationOption = "location";
    public const string ZonesOption = "zones";

    /// <summary>Azure's limit on a managed disk's name.</summary>
    public const int MaxDiskNameLength = 80;

    public static IReadOnlyList<string> Keys { get; } = [DiskNameOption, DiskUriOption, KindOption, SkuOption, LegacySkuOption, CachingOption, ResourceGroupOption, LocationOption, ZonesOption];

    /// <summary>The managed disk SKUs a volume may ask for.</summary>
    public static readonly string[] Skus = ["Standard_LRS", "Premium_LRS", "StandardSSD_LRS", "UltraSSD_LRS", "Premium_ZRS", "StandardSSD_ZRS"];

    private static readonly string[] CachingModes = ["None", "ReadOnly", "ReadWrite"];

    /// <param name="environment">The cloud, for the blob kinds' refusal (public clouds retired them; null: said of both).</param>
    public static AzureDiskOptions From(DiskRequest request, AzureEnvironment? environment = null)
    {
        var options = request.Options;
        var kind = options.GetValueOrDefault(KindOption) is { Length: > 0 } k ? k : "managed";
        if (!kind.Equals("managed", StringComparison.OrdinalIgnoreCase))
        {
            throw kind.ToLowerInvariant() is "shared" or "dedicated"
                ? new InvalidOptionException(KindOption, BlobKindRefusal(kind, environment))
                : new InvalidOptionException(KindOption, $"kind '{kind}' is not an Azure disk kind; allowed: managed, shared, dedicated");
        }

        string? resourceGroup = options.GetValueOrDefault(ResourceGroupOption);
        var name = request.Name.Value;
        if (options.GetValueOrDefault(DiskUriOption) is { Length: > 0 } uri)
        {
            // /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Compute/disks/{name}
            var parts = uri.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 8 || !parts[0].Equals("subscriptions", StringComparison.OrdinalIgnoreCase) || !parts[2].Equals("resourceGroups", StringComparison.OrdinalIgnoreCase)
                || !parts[4].Equals("providers", StringComparison.OrdinalIgnoreCase) || !parts[5].Equals("Microsoft.Compute", StringComparison.OrdinalIgnoreCase) || !parts[6].Equals("disks", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOptionException(DiskUriOption, $"diskURI '{PrintableText.Of(uri)}' is not a managed disk's resource id (/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Compute/disks/<name>)");
            }

            resourceGroup = parts[3];
            name = parts[7];
        }
        else if (options.GetValueOrDefault(DiskNameOption) is { Length: > 0 } diskName)
        {
            name = diskName;
        }

        if (name.Length > MaxDiskNameLength)
        {
            // Azure answers a longer name with a 400 after the request; say it before any call.
            var key = options.ContainsKey(DiskUriOption) ? DiskUriOption : options.ContainsKey(DiskNameOption) ? DiskNameOption : OptionKeys.PvOrVolumeName;
            throw new InvalidOptionException(key, FormattableString.Invariant($"the managed disk name '{PrintableText.Of(name, 40)}' is {name.Length} characters long; Azure takes disk names of at most {MaxDiskNameLength} characters. Set {DiskNameOption} to a shorter name"));
        }

        var skuText = options.GetValueOrDefault(SkuOption) is { Length: > 0 } s ? s : options.GetValueOrDefault(LegacySkuOption);
        var sku = skuText is { Length: > 0 }
            ? Skus.FirstOrDefault(allowed => allowed.Equals(skuText, StringComparison.OrdinalIgnoreCase))
                ?? throw new InvalidOptionException(SkuOption, $"skuname '{PrintableText.Of(skuText)}' is not a managed disk SKU; allowed: {string.Join(", ", Skus)}")
            : "StandardSSD_LRS";

        CachingType? caching = null;
        if (options.GetValueOrDefault(CachingOption) is { Length: > 0 } cachingText)
        {
            var mode = CachingModes.FirstOrDefault(allowed => allowed.Equals(cachingText, StringComparison.OrdinalIgnoreCase))
                ?? throw new InvalidOptionException(CachingOption, $"cachingmode '{PrintableText.Of(cachingText)}' is not allowed; allowed: {string.Join(", ", CachingModes)}");
            caching = Enum.Parse<CachingType>(mode);
        }

        var zones = options.GetValueOrDefault(ZonesOption) is { Length: > 0 } z ? z.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
        if (zones.Any(zone => zone is not ("1" or "2" or "3")))
        {
            throw new InvalidOptionException(ZonesOption, $"zones '{PrintableText.Of(options[ZonesOption])}' must be availability zones 1, 2 or 3");
        }

        return new AzureDiskOptions(name, resourceGroup, options.GetValueOrDefault(LocationOption) is { Length: > 0 } l ? l : null, new DiskStorageAccountType(sku), caching, zones);
    }

    /// <summary>
    /// Why a blob kind cannot be served here: in the public clouds Azure retired unmanaged disks on
    /// 2025-09-30, and a VM with a VHD data disk no longer starts there, so the answer points at moving
    /// the data to a managed disk. (On Azure Stack Hub the blob kinds never reach this parser.)
    /// </summary>
    private static string BlobKindRefusal(string kind, AzureEnvironment? environment) =>
        $"kind '{kind}' (VHD blob disks) cannot be used{(environment is null ? string.Empty : " in " + environment.Name)}: Azure retired unmanaged disks on 2025-09-30, and a VM with a VHD data disk no longer starts in its public clouds. "
        + "Use kind: managed; to keep the data of an existing VHD, import it into a managed disk with 'volume-driver migrate-vhd <vhd-uri>' and point the PV at the disk it prints (kind: managed, diskURI).";
}
