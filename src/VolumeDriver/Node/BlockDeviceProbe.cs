using VolumeDriver.Configuration;
using VolumeDriver.Errors;
using VolumeDriver.Host;

namespace VolumeDriver.Node;

/// <summary>
/// Decides what a block device holds, erring towards "something": a device counts as blank only when
/// <c>blkid -p</c> (low-level probing, bypassing the blkid cache) finds nothing (exit 2) and
/// <c>wipefs --no-act</c>, a second probe that lists every signature it knows, agrees with an empty
/// listing. Anything else, including an ambivalent blkid result, is not blank.
/// </summary>
internal sealed class BlockDeviceProbe
{
    public const string Blkid = "blkid";
    public const string Wipefs = "wipefs";

    /// <summary>blkid: a signature was found and printed.</summary>
    private const int BlkidFound = 0;

    /// <summary>blkid: nothing was found on the device.</summary>
    private const int BlkidNothingFound = 2;

    /// <summary>blkid -p: several signatures that contradict each other (an "ambivalent" result).</summary>
    private const int BlkidAmbivalent = 8;

    private readonly IProcessRunner _processRunner;
    private readonly NodeConfiguration _configuration;

    public BlockDeviceProbe(IProcessRunner processRunner, NodeConfiguration configuration)
    {
        _processRunner = processRunner;
        _configuration = configuration;
    }

    public static IReadOnlyList<string> BlkidArguments(string device) => ["-p", "-o", "export", device];

    public static IReadOnlyList<string> WipefsArguments(string device) => ["--no-act", device];

    public async Task<DeviceContents> ProbeAsync(string device, CancellationToken cancellationToken)
    {
        var blkidArguments = BlkidArguments(device);
        var blkid = await _processRunner.RunAsync(Blkid, blkidArguments, _configuration.CommandTimeout, cancellationToken);
        switch (blkid.ExitCode)
        {
            case BlkidFound:
                return Interpret(ParseExport(blkid.Stdout), blkid.Stdout);
            case BlkidAmbivalent:
                return new DeviceContents.OtherSignature(
                    "more than one signature that blkid cannot tell apart (an ambivalent probe; 'wipefs --no-act' lists them)");
            case BlkidNothingFound:
                break;
            default:
                throw new CommandFailedException(
                    Blkid,
                    blkidArguments,
                    blkid.ExitCode,
                    blkid.OutputTail(),
                    $"could not probe {device} for a filesystem: 'blkid {string.Join(' ', blkidArguments)}' exited with {blkid.ExitCode}: {Said(blkid)}. "
                    + "The device was not formatted or mounted; check that it exists and is readable.");
        }

        var wipefsArguments = WipefsArguments(device);
        var wipefs = await _processRunner.RunAsync(Wipefs, wipefsArguments, _configuration.CommandTimeout, cancellationToken);
        if (wipefs.ExitCode != 0)
        {
            throw new CommandFailedException(
                Wipefs,
                wipefsArguments,
                wipefs.ExitCode,
                wipefs.OutputTail(),
                $"could not confirm that {device} is blank: 'wipefs {string.Join(' ', wipefsArguments)}' exited with {wipefs.ExitCode}: {Said(wipefs)}. "
                + "The device was not formatted or mounted.");
        }

        var listing = wipefs.Stdout.Trim();
        return listing.Length == 0
            ? DeviceContents.Blank.Instance
            : new DeviceContents.OtherSignature($"a signature that blkid did not report but wipefs did ({OneLine(listing)})");
    }

    /// <summary>Reads <c>blkid -o export</c> output (KEY=value lines) into a map.</summary>
    public static IReadOnlyDictionary<string, string> ParseExport(string output)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.Trim();
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                values[line[..equals]] = line[(equals + 1)..];
            }
        }

        return values;
    }

    private static DeviceContents Interpret(IReadOnlyDictionary<string, string> values, string output)
    {
        // A partition table wins over anything else blkid reports: the driver never touches a
        // partitioned device, whatever else sits on it.
        if (values.TryGetValue("PTTYPE", out var partitionTable) && partitionTable.Length > 0)
        {
            return new DeviceContents.PartitionTable(partitionTable);
        }

        values.TryGetValue("TYPE", out var type);
        values.TryGetValue("USAGE", out var usage);
        if (string.IsNullOrEmpty(type))
        {
            return new DeviceContents.OtherSignature($"a signature blkid reports without a TYPE ({OneLine(output.Trim())})");
        }

        return usage == "filesystem"
            ? new DeviceContents.Filesystem(type)
            : new DeviceContents.OtherSignature(string.IsNullOrEmpty(usage) ? $"a {type} signature" : $"a {type} signature (usage {usage})");
    }

    private static string Said(ProcessResult result)
    {
        var tail = result.OutputTail();
        return tail.Length == 0 ? "it printed nothing" : OneLine(tail);
    }

    private static string OneLine(string text) => string.Join("; ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
