namespace VolumeDriver.Tests.TestSupport;

/// <summary>Checks for root and for tools on PATH, for tests that use the real Linux path.</summary>
public static class HostPrerequisites
{
    public static bool IsRoot => OperatingSystem.IsLinux() && Environment.UserName == "root";

    /// <summary>Null when everything is there, else a sentence saying what is missing.</summary>
    public static string? MissingReason(IEnumerable<string> tools)
    {
        if (!OperatingSystem.IsLinux())
        {
            return "needs Linux";
        }

        if (!IsRoot)
        {
            return "needs root (loop devices, mkfs, mount)";
        }

        var missing = tools.Where(tool => FindOnPath(tool) is null).ToList();
        return missing.Count == 0 ? null : "needs " + string.Join(", ", missing) + " on PATH";
    }

    /// <summary>CAP_SYS_RESOURCE: the kernel requires it to grow a mounted ext4 (containers often drop it).</summary>
    public const int CapSysResource = 24;

    /// <summary>True when this process has the capability in its effective set (/proc/self/status CapEff).</summary>
    public static bool HasCapability(int capability)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
        return line is not null
            && ulong.TryParse(line["CapEff:".Length..].Trim(), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var effective)
            && (effective & (1UL << capability)) != 0;
    }

    public static string? FindOnPath(string tool)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin";
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(["/usr/sbin", "/sbin"]))
        {
            var candidate = Path.Combine(dir, tool);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
