using VolumeDriver.Domain;
using VolumeDriver.Errors;

namespace VolumeDriver.Backends.VCloud;

/// <summary>
/// A volume's vCloud options, parsed and checked in full before the backend makes any request, as
/// <c>AzureDiskOptions</c> does: a bad PV then fails in milliseconds, costs vCD nothing and names
/// its key. Only what needs the cloud (does the VDC have this storage profile?) is checked when the
/// disk is created.
/// </summary>
/// <param name="DiskName">The independent disk's name (<c>volumeName</c>, or the volume's own name).</param>
/// <param name="Bus">The bus a new disk is created on.</param>
/// <param name="StorageProfile">The <c>storage</c> option, or null for the configured default.</param>
internal sealed record VCloudDiskOptions(string DiskName, VCloudBus Bus, string? StorageProfile)
{
    public const string StorageOption = "storage";

    /// <summary>vCD's limit on an entity name, storage profiles included.</summary>
    private const int MaxProfileLength = 128;

    public static IReadOnlyList<string> Keys { get; } = [VCloudDiskName.OptionKey, StorageOption, VCloudBus.BusTypeOption, VCloudBus.BusSubTypeOption];

    public static VCloudDiskOptions From(DiskRequest request)
    {
        var name = VCloudDiskName.From(request);
        var bus = VCloudBus.From(request.Options);
        var profile = request.Options.GetValueOrDefault(StorageOption) is { Length: > 0 } named ? named : null;
        if (profile is not null && (profile.Length > MaxProfileLength || profile.Any(char.IsControl) || profile.Trim().Length != profile.Length))
        {
            throw new InvalidOptionException(
                StorageOption,
                $"option {StorageOption} '{PrintableText.Of(profile)}' is not a storage profile name: names are at most {MaxProfileLength} characters, without control characters or white space at either end");
        }

        return new VCloudDiskOptions(name, bus, profile);
    }
}
