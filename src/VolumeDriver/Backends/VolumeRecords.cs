using Microsoft.Extensions.Logging;
using VolumeDriver.Domain;

namespace VolumeDriver.Backends;

/// <summary>
/// Remembers which disk a volume uses when an option names a disk apart from the PV (vCloud's
/// volumeName, Azure's diskName or diskURI): kubelet's detach passes only the PV name. One small file per volume, written at attach (only when
/// the names differ) and removed at detach. Without a record the disk is the one named like the
/// volume, which is what the Python vCloud driver and the in-tree Azure plugin assumed.
/// </summary>
internal sealed partial class VolumeRecords
{
    private readonly string _directory;
    private readonly ILogger _logger;

    public VolumeRecords(string stateDirectory, ILogger logger)
    {
        _directory = Path.Join(stateDirectory, "volumes");
        _logger = logger;
    }

    /// <summary>The disk name the volume uses.</summary>
    public async Task<string> DiskNameOfAsync(VolumeName volume, CancellationToken cancellationToken)
    {
        var path = PathOf(volume);
        try
        {
            var text = (await File.ReadAllTextAsync(path, cancellationToken)).Trim();
            return text.Length > 0 ? text : volume.Value;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return volume.Value;
        }
    }

    public async Task RememberAsync(VolumeName volume, string diskName, CancellationToken cancellationToken)
    {
        var path = PathOf(volume);
        if (diskName == volume.Value)
        {
            Forget(volume);
            return;
        }

        Directory.CreateDirectory(_directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, diskName + "\n", cancellationToken);
        File.Move(temporary, path, overwrite: true);
        LogRemembered(_logger, volume.Value, diskName);
    }

    public void Forget(VolumeName volume)
    {
        try
        {
            File.Delete(PathOf(volume));
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing was recorded.
        }
    }

    private string PathOf(VolumeName volume) => Path.Join(_directory, volume.Value);

    [LoggerMessage(Level = LogLevel.Information, Message = "Volume {Volume} uses disk {Disk}")]
    private static partial void LogRemembered(ILogger logger, string volume, string disk);
}
