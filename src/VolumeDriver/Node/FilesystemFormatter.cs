using VolumeDriver.Configuration;
using VolumeDriver.Domain;
using VolumeDriver.Errors;
using VolumeDriver.Host;

namespace VolumeDriver.Node;

/// <summary>
/// Creates a filesystem on a device the caller has already proved blank. ext4 gets kubelet's own
/// flags (<c>-F -m0</c>); xfs is made without <c>-f</c>, so mkfs.xfs itself refuses a device that
/// carries a signature: a second safety net behind the probe.
/// </summary>
internal sealed class FilesystemFormatter
{
    private readonly IProcessRunner _processRunner;
    private readonly NodeConfiguration _configuration;

    public FilesystemFormatter(IProcessRunner processRunner, NodeConfiguration configuration)
    {
        _processRunner = processRunner;
        _configuration = configuration;
    }

    /// <summary>The tool and argv that format <paramref name="device"/> as <paramref name="fsType"/>.</summary>
    public static (string Tool, IReadOnlyList<string> Arguments) Command(FsType fsType, string device) => fsType switch
    {
        FsType.Ext4 => ("mkfs.ext4", ["-F", "-m0", device]),
        FsType.Xfs => ("mkfs.xfs", [device]),
        _ => throw new ArgumentOutOfRangeException(nameof(fsType), fsType, "no mkfs command for this filesystem"),
    };

    public async Task<ProcessResult> FormatAsync(string device, FsType fsType, CancellationToken cancellationToken)
    {
        var (tool, arguments) = Command(fsType, device);
        var result = await _processRunner.RunAsync(tool, arguments, _configuration.CommandTimeout, cancellationToken);
        if (result.ExitCode != 0)
        {
            var said = result.OutputTail();
            throw new CommandFailedException(
                tool,
                arguments,
                result.ExitCode,
                said,
                $"formatting {device} as {FsTypes.Name(fsType)} failed: '{tool} {string.Join(' ', arguments)}' exited with {result.ExitCode}: "
                + $"{(said.Length == 0 ? "it printed nothing" : said)}. Check the device with 'blkid -p {device}' and 'wipefs --no-act {device}'.");
        }

        return result;
    }
}
