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
