using System.Text.Json;
using System.Text.Json.Serialization;

namespace VolumeDriver.Backends.Azure.Blob;

/// <summary>
/// How many VHDs each pool account held when last counted, kept for a short time in the state
/// directory: every invocation is a new process, and counting means listing every page of an
/// account's container, which a provision at 100 accounts must not do for each of them. A count
/// older than the TTL is counted again from the blobs, so a stale cache corrects itself.
/// <para>
/// One file per account, read when asked (under the pool's per-SKU lock, which covers every account
/// of that SKU) and written for that account alone: concurrent processes each see what the previous
/// lock holder wrote, and never write back counts they read before the lock was theirs, nor another
/// SKU's. The files are this node's: a TTL of zero turns the cache off where other nodes place disks
/// too.
/// </para>
/// </summary>
internal sealed class PoolCounts
{
    private readonly string _directory;
    private readonly TimeSpan _ttl;
    private readonly TimeProvider _timeProvider;

    public PoolCounts(string stateDirectory, TimeSpan ttl, TimeProvider timeProvider)
    {
        _directory = Path.Join(stateDirectory, "blob-pool-counts");
        _ttl = ttl;
        _timeProvider = timeProvider;
    }

    public static TimeSpan DefaultTtl { get; } = TimeSpan.FromMinutes(1);

    /// <summary>The account's count as last written, when younger than the TTL; read from its file now.</summary>
    public int? Get(string account) =>
        Load(account) is { } entry && _timeProvider.GetUtcNow() - entry.At < _ttl ? entry.Disks : null;

    public void Set(string account, int disks)
    {
        if (_ttl > TimeSpan.Zero)
        {
            Save(account, new PoolCountEntry(disks, _timeProvider.GetUtcNow()));
        }
    }

    /// <summary>Adjusts a fresh count after this process created or deleted a VHD; a stale one is left to be counted again.</summary>
    public void Add(string account, int delta)
    {
        if (Load(account) is { } entry && _timeProvider.GetUtcNow() - entry.At < _ttl)
        {
            Save(account, entry with { Disks = Math.Max(0, entry.Disks + delta) });
        }
    }

    private string PathOf(string account) => Path.Join(_directory, account + ".json");

    private void Save(string account, PoolCountEntry entry)
    {
        Directory.CreateDirectory(_directory);
        var temporary = PathOf(account) + "." + Environment.ProcessId + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(entry, PoolCountsJsonContext.Default.PoolCountEntry));
        File.Move(temporary, PathOf(account), overwrite: true);
    }

    private PoolCountEntry? Load(string account)
    {
        try
        {
            return File.Exists(PathOf(account))
                ? JsonSerializer.Deserialize(File.ReadAllText(PathOf(account)), PoolCountsJsonContext.Default.PoolCountEntry)
                : null;
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            // A damaged cache is only a cache: count again.
            return null;
        }
    }
}
