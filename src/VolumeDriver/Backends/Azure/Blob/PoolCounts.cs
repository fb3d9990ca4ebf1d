using System.Text.Json;
using System.Text.Json.Serialization;

namespace VolumeDriver.Backends.Azure.Blob;

/// <summary>
/// How many VHDs each pool account held when last counted, kept for a short time in a file of the
/// state directory: every invocation is a new process, and counting means listing every page of an
/// account's container, which a provision at 100 accounts must not do for each of them. A count
/// older than the TTL is counted again from the blobs, so a stale cache corrects itself.
/// </summary>
internal sealed class PoolCounts
{
    private readonly string _path;
    private readonly TimeSpan _ttl;
    private readonly TimeProvider _timeProvider;
    private readonly Dictionary<string, PoolCountEntry> _entries;

    public PoolCounts(string stateDirectory, TimeSpan ttl, TimeProvider timeProvider)
    {
        _path = Path.Join(stateDirectory, "blob-pool-counts.json");
        _ttl = ttl;
        _timeProvider = timeProvider;
        _entries = Load(_path);
    }

    public static TimeSpan DefaultTtl { get; } = TimeSpan.FromMinutes(1);

    public int? Get(string account) =>
        _entries.TryGetValue(account, out var entry) && _timeProvider.GetUtcNow() - entry.At < _ttl ? entry.Disks : null;

    public void Set(string account, int disks)
    {
        _entries[account] = new PoolCountEntry(disks, _timeProvider.GetUtcNow());
        Save();
    }

    /// <summary>Adjusts a fresh count after this process created or deleted a VHD; a stale one is left to be counted again.</summary>
    public void Add(string account, int delta)
    {
        if (Get(account) is { } disks)
        {
            _entries[account] = _entries[account] with { Disks = Math.Max(0, disks + delta) };
            Save();
        }
    }

    private void Save()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        var temporary = _path + "." + Environment.ProcessId + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(_entries, PoolCountsJsonContext.Default.DictionaryStringPoolCountEntry));
        File.Move(temporary, _path, overwrite: true);
    }

    private static Dictionary<string, PoolCountEntry> Load(string path)
    {
        try
        {
            return File.Exists(path)
                ? JsonSerializer.Deserialize(File.ReadAllText(path), PoolCountsJsonContext.Default.DictionaryStringPoolCountEntry) ?? []
                : [];
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            // A damaged cache is only a cache: count again.
            return [];
        }
    }
}

internal sealed record PoolCountEntry([property: JsonPropertyName("disks")] int Disks, [property: JsonPropertyName("at")] DateTimeOffset At);

[JsonSerializable(typeof(Dictionary<string, PoolCountEntry>))]
internal sealed partial class PoolCountsJsonContext : JsonSerializerContext;
