using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace VolumeDriver.Domain;

/// <summary>
/// Mount options a user may ask for (the <c>mountOptions</c> volume option). Each one must be a
/// known ext4/xfs/VFS option, alone or with a value of a safe shape, so nothing a user writes can
/// become a second argument, a shell construct or an option that changes what is mounted where.
/// A pod can declare a FlexVolume inline, so whoever writes a pod writes these: beyond their shape,
/// <see cref="TryApplyPolicy"/> keeps them from loosening the node's defaults (nosuid, nodev), from
/// letting a filesystem error panic the node (errors=panic is never accepted), and from mounting a
/// journalled filesystem read-write without replaying its journal (norecovery, noload: read-only only).
/// </summary>
internal sealed partial record MountOptions
{
    private static readonly FrozenSet<string> Flags = FrozenSet.Create(
        StringComparer.Ordinal,
        "defaults", "ro", "rw", "noatime", "atime", "relatime", "norelatime", "nodiratime", "diratime", "strictatime",
        "lazytime", "nolazytime", "nodev", "dev", "nosuid", "suid", "noexec", "exec", "sync", "async", "dirsync",
        "discard", "nodiscard", "barrier", "nobarrier", "acl", "noacl", "user_xattr", "nouser_xattr",
        "noquota", "quota", "usrquota", "grpquota", "prjquota", "uquota", "gquota", "pquota",
        "nouuid", "norecovery", "noload", "inode64", "inode32", "largeio", "nolargeio", "attr2", "noattr2",
        "delalloc", "nodelalloc", "dax", "journal_checksum", "nojournal_checksum", "auto_da_alloc", "noauto_da_alloc",
        "block_validity", "noblock_validity", "grpid", "nogrpid", "bsdgroups", "sysvgroups", "wsync", "swalloc", "noswalloc");

    private static readonly FrozenDictionary<string, Regex> Valued = new Dictionary<string, Regex>(StringComparer.Ordinal)
    {
        ["data"] = DataMode(),
        ["errors"] = ErrorsMode(),
        ["commit"] = Number(),
        ["stripe"] = Number(),
        ["logbufs"] = Number(),
        ["logbsize"] = SizeValue(),
        ["allocsize"] = SizeValue(),
        ["sunit"] = Number(),
        ["swidth"] = Number(),
        ["inode_readahead_blks"] = Number(),
        ["max_batch_time"] = Number(),
        ["min_batch_time"] = Number(),
        ["journal_ioprio"] = Number(),
        ["resgid"] = Number(),
        ["resuid"] = Number(),
        ["dax"] = DaxMode(),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>What every mount gets unless the operator allows suid and devices.</summary>
    public static IReadOnlyList<string> NodeDefaults { get; } = ["nosuid", "nodev"];

    /// <summary>The volume options that undo <see cref="NodeDefaults"/>.</summary>
    private static readonly FrozenSet<string> Loosening = FrozenSet.Create(StringComparer.Ordinal, "suid", "dev");

    /// <summary>Skip the journal replay: a read-write mount then writes over an inconsistent filesystem.</summary>
    private static readonly FrozenSet<string> ReadOnlyOnly = FrozenSet.Create(StringComparer.Ordinal, "norecovery", "noload");

    private MountOptions(IReadOnlyList<string> items) => Items = items;

    public static MountOptions None { get; } = new([]);

    /// <summary>The validated options, in the order given, without duplicates.</summary>
    public IReadOnlyList<string> Items { get; }

    /// <summary>Parses a comma-separated option list; an empty or missing list is <see cref="None"/>.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out MountOptions? options, [NotNullWhen(false)] out string? problem)
    {
        options = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            options = None;
            problem = null;
            return true;
        }

        var items = new List<string>();
        foreach (var raw in text.Split(','))
        {
            var item = raw.Trim();
            if (item.Length == 0)
            {
                problem = "it has an empty entry (two commas in a row, or a comma at either end)";
                return false;
            }

            if (item == "errors=panic")
            {
                problem = "'errors=panic' would let one volume's filesystem error panic the whole node; it is never accepted from a volume. Use errors=remount-ro (or errors=continue)";
                return false;
            }

            if (!IsAllowed(item))
            {
                problem = $"'{Printable(item)}' is not a mount option this driver accepts";
                return false;
            }

            if (!items.Contains(item))
            {
                items.Add(item);
            }
        }

        options = new MountOptions(items);
        problem = null;
        return true;
    }

    /// <summary>
    /// These options under the node's policy: <paramref name="readOnly"/> says whether the mount is
    /// read-only, <paramref name="allowSuidAndDevices"/> is the operator's <c>node.allowSuidAndDevices</c>.
    /// When the operator has not allowed them, suid and dev are refused and nosuid,nodev added.
    /// </summary>
    public bool TryApplyPolicy(bool readOnly, bool allowSuidAndDevices, [NotNullWhen(true)] out MountOptions? effective, [NotNullWhen(false)] out string? problem)
    {
        effective = null;
        var loosening = Items.FirstOrDefault(Loosening.Contains);
        if (!allowSuidAndDevices && loosening is not null)
        {
            problem = $"'{loosening}' is not allowed on this node: volumes are mounted {string.Join(',', NodeDefaults)} unless the node's configuration sets node.allowSuidAndDevices: true";
            return false;
        }

        var skipsJournal = Items.FirstOrDefault(ReadOnlyOnly.Contains);
        if (!readOnly && !Items.Contains("ro") && skipsJournal is not null)
        {
            problem = $"'{skipsJournal}' skips the journal replay and is only accepted on a read-only mount (kubernetes.io/readwrite: ro, or the ro option); read-write, it would write over an inconsistent filesystem";
            return false;
        }

        effective = allowSuidAndDevices ? this : new MountOptions([.. Items, .. NodeDefaults.Where(d => !Items.Contains(d))]);
        problem = null;
        return true;
    }

    private static bool IsAllowed(string item)
    {
        if (Flags.Contains(item))
        {
            return true;
        }

        var equals = item.IndexOf('=', StringComparison.Ordinal);
        return equals > 0
            && Valued.TryGetValue(item[..equals], out var valueShape)
            && valueShape.IsMatch(item[(equals + 1)..]);
    }

    /// <summary>Shows control characters visibly so a message never carries a raw newline.</summary>
    private static string Printable(string text)
    {
        var printable = string.Concat(text.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
        return printable.Length <= 64 ? printable : printable[..64] + "…";
    }

    [GeneratedRegex("^(ordered|writeback|journal)\\z", RegexOptions.CultureInvariant)]
    private static partial Regex DataMode();

    [GeneratedRegex("^(continue|remount-ro)\\z", RegexOptions.CultureInvariant)]
    private static partial Regex ErrorsMode();

    [GeneratedRegex("^(always|never|inode)\\z", RegexOptions.CultureInvariant)]
    private static partial Regex DaxMode();

    [GeneratedRegex("^[0-9]{1,10}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Number();

    [GeneratedRegex("^[0-9]{1,10}[kKmMgG]?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex SizeValue();
}
