namespace VolumeDriver.Host;

/// <summary>
/// Resolves every symbolic link in an absolute path, as realpath(3) does, so a path we hold can be
/// compared with one the kernel reports (the kernel always reports resolved paths).
/// </summary>
internal static class RealPath
{
    private const int MaxLinks = 40;

    public static string Resolve(string path)
    {
        var full = Path.GetFullPath(path);
        var resolved = "/";
        var pending = new Stack<string>(full.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        var links = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                resolved = Path.GetDirectoryName(resolved) ?? "/";
                continue;
            }

            var candidate = Path.Join(resolved, part);
            var info = new FileInfo(candidate);
            if (info.LinkTarget is { } target)
            {
                if (++links > MaxLinks)
                {
                    throw new IOException($"too many levels of symbolic links resolving {path}");
                }

                var targetParts = target.Split('/', StringSplitOptions.RemoveEmptyEntries);
                foreach (var targetPart in targetParts.Reverse())
                {
                    pending.Push(targetPart);
                }

                if (target.StartsWith('/'))
                {
                    resolved = "/";
                }

                continue;
            }

            resolved = candidate;
        }

        return resolved;
    }
}
