using Microsoft.Extensions.Logging;
using VolumeDriver.Host;

namespace VolumeDriver.Node;

/// <summary>
/// Asks every SCSI host to scan for new devices (writes "- - -", meaning every channel, target and
/// LUN, to /sys/class/scsi_host/host*/scan): a disk hot-added by the cloud may not be seen until
/// then. A rescan walks every target, so it runs on the first look and then at most every few
/// seconds, not on every poll.
/// </summary>
internal sealed partial class ScsiHostRescanner
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly HostRoot _host;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private long? _last;

    public ScsiHostRescanner(HostRoot host, TimeProvider timeProvider, ILogger logger)
    {
        _host = host;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public void RescanIfDue()
    {
        var now = _timeProvider.GetTimestamp();
        if (_last is { } last && _timeProvider.GetElapsedTime(last, now) < Interval)
        {
            return;
        }

        _last = now;
        var hosts = _host.Map("/sys/class/scsi_host");
        if (!Directory.Exists(hosts))
        {
            return;
        }

        foreach (var host in Directory.EnumerateFileSystemEntries(hosts))
        {
            try
            {
                File.WriteAllText(Path.Join(host, "scan"), "- - -");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogRescanFailed(_logger, Path.GetFileName(host), e.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not rescan SCSI host {Host}: {Reason}")]
    private static partial void LogRescanFailed(ILogger logger, string host, string reason);
}
