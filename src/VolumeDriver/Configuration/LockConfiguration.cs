namespace VolumeDriver.Configuration;

/// <summary>
/// The per-VM lock: where local lock files live and how long to wait for one; with an etcd cluster
/// configured, the lock is taken there instead, so nodes and the controller exclude each other.
/// </summary>
internal sealed record LockConfiguration(string Directory, TimeSpan Timeout, EtcdConfiguration? Etcd = null)
{
    public static LockConfiguration Defaults { get; } = new("/run/volume-driver/locks", TimeSpan.FromMinutes(2));
}
