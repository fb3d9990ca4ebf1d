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

    /// <summary>
    /// The first of the last <paramref name="depth"/> components of <paramref name="hostPath"/> that is
    /// a symbolic link (read without following it), with its target; null when none is. Components
    /// that do not exist end the walk: nothing below them can be a link.
    /// </summary>
    public static (string Path, string Target)? FindLinkBelow(HostRoot hostRoot, string hostPath, int depth)
    {
        var parts = Normalize(hostPath).Split('/', StringSplitOptions.RemoveEmptyEntries);
        var first = Math.Max(0, parts.Length - depth);

        // Links above may stay (a moved kubelet root): resolve them once, then walk below without following any.
        var current = ResolveLinks(hostRoot, "/" + string.Join('/', parts[..first]));
        for (var index = first; index < parts.Length; index++)
        {
            current = current == "/" ? "/" + parts[index] : current + "/" + parts[index];
            var info = new FileInfo(hostRoot.Map(current));
            if (info.LinkTarget is { } target)
            {
                return (current, target);
            }

            if (!info.Exists && !Directory.Exists(info.FullName))
            {
                return null;
            }
        }

        return null;
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
