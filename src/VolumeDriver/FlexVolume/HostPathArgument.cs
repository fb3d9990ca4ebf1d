using VolumeDriver.Domain;
using VolumeDriver.Errors;

namespace VolumeDriver.FlexVolume;

/// <summary>
/// Checks paths that arrive as arguments (a deviceMountPath, a devicePath) before anything touches
/// them: absolute, canonical (no "." or ".." segments, no empty segments), no control characters,
/// and, for devices, under /dev. A path that fails is refused, never "cleaned up" into another one.
/// </summary>
internal static class HostPathArgument
{
    private const int MaxLength = 4096;

    /// <summary>How many trailing segments of a device mount path kubelet makes: plugins/kubernetes.io/flexvolume/&lt;vendor&gt;/&lt;driver&gt;/mounts/&lt;volume&gt;.</summary>
    public const int DeviceMountPathLayoutDepth = 7;

    /// <summary>A directory to mount on; never "/" itself.</summary>
    public static string RequireMountPath(string? path, string argumentName)
    {
        var checkedPath = RequireCanonicalAbsolute(path, argumentName);
        return checkedPath == "/"
            ? throw new InvalidOptionException(argumentName, $"{argumentName} must not be the root directory")
            : checkedPath;
    }

    /// <summary>
    /// kubelet's device mount path, <c>&lt;root&gt;/plugins/kubernetes.io/flexvolume/&lt;vendor&gt;/&lt;driver&gt;/mounts/&lt;volume&gt;</c>
    /// (pkg/volume/flexvolume getDeviceMountPath), with any kubelet root. Holding mountdevice and
    /// unmountdevice to that shape keeps a mistyped or hostile path (/etc, a pod's directory) from
    /// ever being mounted over or unmounted. Returns the path and its last segment, the volume name.
    /// </summary>
    public static (string Path, string VolumeName) RequireDeviceMountPath(string? path, string argumentName)
    {
        var checkedPath = RequireMountPath(path, argumentName);
        var segments = checkedPath.Split('/');
        var shaped = segments.Length >= 9
            && segments[^2] == "mounts"
            && segments[^5] == "flexvolume"
            && segments[^6] == "kubernetes.io"
            && segments[^7] == "plugins";
        return shaped
            ? (checkedPath, segments[^1])
            : throw new InvalidOptionException(argumentName, $"{argumentName} '{PrintableText.Of(checkedPath)}' is not a kubelet device mount path (<kubelet-root>/plugins/kubernetes.io/flexvolume/<vendor>/<driver>/mounts/<volume>); refusing to mount or unmount anything else");
    }

    /// <summary>A device node or a link to one, under /dev.</summary>
    public static string RequireDevicePath(string? path, string argumentName)
    {
        var checkedPath = RequireCanonicalAbsolute(path, argumentName);
        return checkedPath.StartsWith("/dev/", StringComparison.Ordinal) && checkedPath.Length > "/dev/".Length
            ? checkedPath
            : throw new InvalidOptionException(argumentName, $"{argumentName} '{PrintableText.Of(checkedPath)}' is not a device path under /dev");
    }

    private static string RequireCanonicalAbsolute(string? path, string argumentName)
    {
        if (string.IsNullOrEmpty(path))
        {
            throw new InvalidOptionException(argumentName, $"{argumentName} is empty; an absolute path is required");
        }

        if (path.Length > MaxLength)
        {
            throw new InvalidOptionException(argumentName, $"{argumentName} is {path.Length} characters long; the limit is {MaxLength}");
        }

        if (path.Any(char.IsControl))
        {
            throw new InvalidOptionException(argumentName, $"{argumentName} '{PrintableText.Of(path)}' contains control characters");
        }

        if (!path.StartsWith('/'))
        {
            throw new InvalidOptionException(argumentName, $"{argumentName} '{PrintableText.Of(path)}' is not an absolute path");
        }

        var trimmed = path.Length > 1 ? path.TrimEnd('/') : path;
        foreach (var segment in trimmed.Split('/').Skip(1))
        {
            if (segment is "" or "." or "..")
            {
                throw new InvalidOptionException(argumentName, $"{argumentName} '{PrintableText.Of(path)}' is not canonical (it has an empty, '.' or '..' segment)");
            }
        }

        return trimmed.Length == 0 ? "/" : trimmed;
    }
}
