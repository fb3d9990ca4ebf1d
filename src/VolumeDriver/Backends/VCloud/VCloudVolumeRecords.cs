using Microsoft.Extensions.Logging;
using VolumeDriver.Domain;

namespace VolumeDriver.Backends.VCloud;

/// <summary>
/// Remembers which disk a volume uses when its volumeName option names a disk apart from the PV:
/// kubelet's detach passes only the PV name. One small file per volume, written at attach (only when
/// the names differ) and removed at detach. Without a record the disk is the one named like the
/// volume, which is what the Python driver assumed for every detach.
/// </summary>
internal sealed partial class VCloudVolumeRecords
{
    private readonly string _directory;
    private readonly ILogger _logger;

    public VCloudVolumeRecords(string stateDirectory, ILogger logger)
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Volume {Volume} uses vCloud disk {Disk}")]
    private static partial void LogRemembered(ILogger logger, string volume, string disk);
}
