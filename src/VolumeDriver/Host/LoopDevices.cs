using System.Globalization;

namespace VolumeDriver.Host;

/// <summary>
/// Lists loop devices and the files behind them from sysfs (/sys/block/loopN/loop/backing_file),
/// which, unlike losetup's table output, is a stable machine interface and shows the full path.
/// </summary>
internal sealed class LoopDevices
{
    private const string DeletedSuffix = " (deleted)";
    private readonly HostRoot _host;

    public LoopDevices(HostRoot host)
    {
        _host = host;
    }

    /// <summary>
    /// The loop devices backed by <paramref name="backingFile"/> (an absolute path with symlinks
    /// resolved, as the kernel records it). A device whose file was deleted does not match.
    /// </summary>
    public async Task<IReadOnlyList<LoopDevice>> FindByBackingFileAsync(string backingFile, CancellationToken cancellationToken)
    {
        var matches = new List<LoopDevice>();
        var blockDirectory = _host.Map("/sys/block");
        if (!Directory.Exists(blockDirectory))
        {
            return matches;
        }

        foreach (var deviceDirectory in Directory.EnumerateDirectories(blockDirectory, "loop*"))
        {
            var name = Path.GetFileName(deviceDirectory);
            var recorded = await ReadTrimmedAsync(Path.Join(deviceDirectory, "loop", "backing_file"), cancellationToken);
            if (recorded is null || recorded.EndsWith(DeletedSuffix, StringComparison.Ordinal) || recorded != backingFile)
            {
                continue;
            }

            var numbers = await ReadTrimmedAsync(Path.Join(deviceDirectory, "dev"), cancellationToken);
            if (numbers is not null && TryParseDeviceNumbers(numbers, out var major, out var minor))
            {
                matches.Add(new LoopDevice("/dev/" + name, major, minor, recorded));
            }
        }

        return matches.OrderBy(d => d.Minor).ToList();
    }

    /// <summary>Parses sysfs's "MAJOR:MINOR".</summary>
    public static bool TryParseDeviceNumbers(string text, out uint major, out uint minor)
    {
        minor = 0;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return uint.TryParse(text.AsSpan(0, Math.Max(colon, 0)), NumberStyles.None, CultureInfo.InvariantCulture, out major)
            & (colon > 0 && uint.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out minor));
    }

    /// <summary>Reads a sysfs attribute; a device that vanished or is unbound reads as null.</summary>
    private static async Task<string?> ReadTrimmedAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return (await File.ReadAllTextAsync(path, cancellationToken)).TrimEnd('\n');
        }
        catch (IOException)
        {
            // An unbound loop device has no backing_file, and ENXIO/ENOENT show up as IOException.
            return null;
        }
    }
}
