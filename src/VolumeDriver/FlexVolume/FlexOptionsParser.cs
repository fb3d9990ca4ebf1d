using System.Collections.Frozen;
using System.Globalization;
using VolumeDriver.Domain;
using VolumeDriver.Errors;

namespace VolumeDriver.FlexVolume;

/// <summary>
/// Turns kubelet's options map into <see cref="FlexOptions"/>, checking every key: the keys kubelet
/// adds, the common volume options, and the keys the backend declares. Any other key is a Failure
/// that names it, so a misspelt option never silently does nothing.
/// </summary>
internal sealed class FlexOptionsParser
{
    private static readonly FrozenSet<string> KubeletKeys = FrozenSet.Create(
        StringComparer.Ordinal,
        OptionKeys.FsType, OptionKeys.ReadWrite, OptionKeys.PvOrVolumeName, OptionKeys.PodName, OptionKeys.PodNamespace,
        OptionKeys.PodUid, OptionKeys.ServiceAccountName, OptionKeys.MounterArgsFsGroup, OptionKeys.LegacyFsGroup);

    /// <summary>The volume options every backend reads (the README's options table lists them as "all").</summary>
    internal static readonly FrozenSet<string> CommonKeys = FrozenSet.Create(
        StringComparer.Ordinal,
        OptionKeys.Size, OptionKeys.LegacyFsType, OptionKeys.MountOptions, OptionKeys.LegacyMountOptions);

    private readonly IReadOnlySet<string> _backendKeys;

    public FlexOptionsParser(IReadOnlySet<string> backendKeys)
    {
        _backendKeys = backendKeys;
    }

    /// <summary>Parses the options argument (a JSON object of strings).</summary>
    public FlexOptions Parse(string json) => Parse(OptionsJson.Parse(json));

    public FlexOptions Parse(IReadOnlyDictionary<string, string> options)
    {
        var backendOptions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in options)
        {
            CheckLength(key, value);
            if (_backendKeys.Contains(key))
            {
                backendOptions[key] = value;
            }
            else if (!KubeletKeys.Contains(key) && !CommonKeys.Contains(key) && !IsOtherKubeletKey(key))
            {
                throw new InvalidOptionException(key, $"unknown option '{PrintableText.Of(key)}'; this driver reads {string.Join(", ", CommonKeys.Concat(_backendKeys).Order(StringComparer.Ordinal))} and kubelet's kubernetes.io/ keys");
            }
        }

        return new FlexOptions(
            VolumeName: ParseVolumeName(options),
            FsType: ParseFsType(options),
            ReadOnly: ParseReadOnly(options),
            MountOptions: ParseMountOptions(options),
            Size: ParseSize(options),
            FsGroup: ParseFsGroup(options),
            BackendOptions: backendOptions.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>
    /// kubelet owns the kubernetes.io/ namespace: secrets arrive as kubernetes.io/secret/KEY, and a
    /// newer kubelet may add keys. Those must not break volumes, so they are accepted unread.
    /// </summary>
    private static bool IsOtherKubeletKey(string key) => key.StartsWith(OptionKeys.KubernetesPrefix, StringComparison.Ordinal);

    private static void CheckLength(string key, string value)
    {
        if (!key.StartsWith(OptionKeys.SecretPrefix, StringComparison.Ordinal) && value.Length > OptionKeys.MaxValueLength)
        {
            throw new InvalidOptionException(key, string.Create(CultureInfo.InvariantCulture, $"option '{PrintableText.Of(key)}' is {value.Length} characters long; the limit is {OptionKeys.MaxValueLength}"));
        }
    }

    private static VolumeName? ParseVolumeName(IReadOnlyDictionary<string, string> options)
    {
        const string key = OptionKeys.PvOrVolumeName;
        if (!options.TryGetValue(key, out var text) || text.Length == 0)
        {
            return null;
        }

        return Domain.VolumeName.TryCreate(text, out var name, out var problem)
            ? name
            : throw new InvalidOptionException(key, $"option {key} '{PrintableText.Of(text)}' is not a usable volume name: {problem}");
    }

    private static FsType ParseFsType(IReadOnlyDictionary<string, string> options)
    {
        var key = OptionKeys.FsType;
        if (!options.TryGetValue(key, out var text) || text.Length == 0)
        {
            key = OptionKeys.LegacyFsType;
            if (!options.TryGetValue(key, out text) || text.Length == 0)
            {
                return FsTypes.Default;
            }
        }

        return FsTypes.TryParse(text, out var fsType)
            ? fsType.Value
            : throw new InvalidOptionException(key, $"option {key} '{PrintableText.Of(text)}' is not supported; use ext4 (the default) or xfs");
    }

    private static bool ParseReadOnly(IReadOnlyDictionary<string, string> options)
    {
        if (!options.TryGetValue(OptionKeys.ReadWrite, out var text) || text.Length == 0)
        {
            return false;
        }

        return text switch
        {
            "rw" => false,
            "ro" => true,
            _ => throw new InvalidOptionException(OptionKeys.ReadWrite, $"option {OptionKeys.ReadWrite} '{PrintableText.Of(text)}' must be \"rw\" or \"ro\""),
        };
    }

    private static MountOptions ParseMountOptions(IReadOnlyDictionary<string, string> options)
    {
        var hasNew = options.TryGetValue(OptionKeys.MountOptions, out var newText) && newText.Length > 0;
        var hasOld = options.TryGetValue(OptionKeys.LegacyMountOptions, out var oldText) && oldText.Length > 0;
        if (hasNew && hasOld && newText != oldText)
        {
            throw new InvalidOptionException(OptionKeys.MountOptions, $"both {OptionKeys.MountOptions} and {OptionKeys.LegacyMountOptions} are set, to different values; keep one");
        }

        var key = hasNew ? OptionKeys.MountOptions : OptionKeys.LegacyMountOptions;
        var text = hasNew ? newText : oldText;
        return MountOptions.TryParse(text, out var mountOptions, out var problem)
            ? mountOptions
            : throw new InvalidOptionException(key, $"option {key} is not accepted: {problem}");
    }

    private static ByteSize? ParseSize(IReadOnlyDictionary<string, string> options)
    {
        if (!options.TryGetValue(OptionKeys.Size, out var text) || text.Length == 0)
        {
            return null;
        }

        return ByteSize.TryParse(text, out var size, out var problem)
            ? size
            : throw new InvalidOptionException(OptionKeys.Size, $"option size '{PrintableText.Of(text)}' is not a valid size: {problem}");
    }

    private static long? ParseFsGroup(IReadOnlyDictionary<string, string> options)
    {
        foreach (var key in new[] { OptionKeys.MounterArgsFsGroup, OptionKeys.LegacyFsGroup })
        {
            if (options.TryGetValue(key, out var text) && text.Length > 0)
            {
                return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var gid) && gid <= uint.MaxValue
                    ? gid
                    : throw new InvalidOptionException(key, $"option {key} '{PrintableText.Of(text)}' is not a group id (a whole number from 0 to {uint.MaxValue})");
            }
        }

        return null;
    }
}
