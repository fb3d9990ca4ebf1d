namespace VolumeDriver.Host;

/// <summary>Path helpers that work on host paths read through a <see cref="HostRoot"/>.</summary>
internal static class HostPaths
{
    /// <summary>The same limit as the kernel's (ELOOP after 40 links).</summary>
    private const int MaxLinks = 40;

    /// <summary>
    /// Normalises an absolute host path: removes "." and "..", doubled and trailing slashes.
    /// </summary>
    public static string Normalize(string hostPath)
    {
        if (!hostPath.StartsWith('/'))
        {
            throw new ArgumentException($"'{hostPath}' is not an absolute host path", nameof(hostPath));
        }

        var parts = new List<string>();
        foreach (var part in hostPath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }

                continue;
            }

            parts.Add(part);
        }

        return "/" + string.Join('/', parts);
    }

    /// <summary>
    /// Resolves every symbolic link in an absolute host path, like realpath(3), reading links under
    /// <paramref name="hostRoot"/> so that an absolute link target (/dev/sdc) is taken as a host path
    /// and a relative one (../../sdc, as udev writes them) is taken relative to the link. Components
    /// that do not exist are kept as they are.
    /// </summary>
    public static string ResolveLinks(HostRoot hostRoot, string hostPath)
    {
        var pending = new Queue<string>(Normalize(hostPath).Split('/', StringSplitOptions.RemoveEmptyEntries));
        var resolved = "/";
        var links = 0;
        while (pending.Count > 0)
        {
            var component = pending.Dequeue();
            var candidate = component == ".." ? Parent(resolved) : Path.Join(resolved, component);
            if (component == "..")
            {
                resolved = candidate;
                continue;
            }

            var target = new FileInfo(hostRoot.Map(candidate)).LinkTarget;
            if (target is null)
            {
                resolved = candidate;
                continue;
            }

            if (++links > MaxLinks)
            {
                throw new IOException($"too many levels of symbolic links resolving {hostPath}");
            }

            // Splice the link's target in front of what is left to resolve.
            var rest = pending.ToArray();
            pending.Clear();
            if (target.StartsWith('/'))
            {
                resolved = "/";
            }

            foreach (var part in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Concat(rest))
            {
                if (part != ".")
                {
                    pending.Enqueue(part);
                }
            }
        }

        return resolved;
    }

    private static string Parent(string hostPath)
    {
        if (hostPath == "/")
        {
            return "/";
        }

        var slash = hostPath.LastIndexOf('/');
        return slash <= 0 ? "/" : hostPath[..slash];
    }
}
