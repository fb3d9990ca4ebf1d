using System.Diagnostics;
using System.Globalization;

namespace Simulators;

/// <summary>
/// Makes an attached disk real on an emulated node: a sparse backing file per disk (kept across
/// detach and attach, so data survives) and a loop device with partition scanning; the cloud's double
/// then lays out, in the node's emulation root, what the guest's kernel and udev would show for that
/// cloud (by-id WWN links for vCloud, SCSI sysfs entries and LUN links for Azure). A detach of a
/// device that is still mounted fails, as it would lose data on a real node.
/// </summary>
internal sealed class LoopNodeEmulator : IAsyncDisposable
{
    private readonly string _diskDirectory;
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Vm, string Uuid), Attachment> _attached = [];

    public LoopNodeEmulator(string diskDirectory)
    {
        _diskDirectory = diskDirectory;
    }

    public string EnsureBackingFile(string uuid, long sizeMb)
    {
        Directory.CreateDirectory(_diskDirectory);
        var path = Path.Join(_diskDirectory, uuid + ".img");
        if (!File.Exists(path))
        {
            using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            file.SetLength(sizeMb * 1024 * 1024);
        }

        return path;
    }

    public void Grow(string uuid, long sizeMb)
    {
        var path = Path.Join(_diskDirectory, uuid + ".img");
        if (File.Exists(path) && new FileInfo(path).Length < sizeMb * 1024 * 1024)
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
            file.SetLength(sizeMb * 1024 * 1024);
        }
    }

    /// <summary>
    /// Gives <paramref name="toKey"/> a copy of <paramref name="fromKey"/>'s data (a disk created from
    /// another, as an import copies a VHD); nothing when the source never held data on a node.
    /// </summary>
    public async Task CopyBackingFileAsync(string fromKey, string toKey)
    {
        var source = Path.Join(_diskDirectory, fromKey + ".img");
        if (File.Exists(source))
        {
            await RunAsync("cp", "--sparse=always", source, Path.Join(_diskDirectory, toKey + ".img"));
        }
    }

    public void Delete(string uuid)
    {
        var path = Path.Join(_diskDirectory, uuid + ".img");
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// Attaches the disk's backing file as a loop device and lets <paramref name="layout"/> create the
    /// guest's view of it (given the device path, it returns every path it created, removed at detach).
    /// </summary>
    public async Task AttachAsync(string vm, string key, long sizeMb, Func<string, IReadOnlyList<string>> layout)
    {
        var backing = EnsureBackingFile(key, sizeMb);
        var device = (await RunAsync("losetup", "--find", "--show", "--partscan", backing)).Trim();

        // A real kernel reads the partition table of a hot-added disk; a loop device's partition scan
        // does not always happen (it does not in some sandboxes), so ask for it. A blank disk has no
        // table, and partx says so with a non-zero exit: that is fine.
        await RunAsync(allowFailure: true, "partx", "--update", device);
        var created = layout(device);
        lock (_lock)
        {
            _attached[(vm, key)] = new Attachment(device, created);
        }
    }

    /// <summary>A symbolic link, replacing what was there, creating its directory.</summary>
    public static string Link(string path, string target)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Delete(path);
        File.CreateSymbolicLink(path, target);
        return path;
    }

    public bool IsAttached(string vm, string key)
    {
        lock (_lock)
        {
            return _attached.ContainsKey((vm, key));
        }
    }

    public IReadOnlyList<string> AttachedKeys(string vm)
    {
        lock (_lock)
        {
            return _attached.Keys.Where(k => k.Vm == vm).Select(k => k.Uuid).ToList();
        }
    }

    /// <summary>Null when the disk may go; else why not (it is mounted, or held).</summary>
    public string? CanDetach(string vm, string uuid)
    {
        Attachment? attachment;
        lock (_lock)
        {
            _attached.TryGetValue((vm, uuid), out attachment);
        }

        if (attachment is null)
        {
            return null;
        }

        var name = Path.GetFileName(attachment.Device);
        var numbers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var block in Directory.EnumerateDirectories("/sys/class/block").Where(d => Path.GetFileName(d) == name || Path.GetFileName(d).StartsWith(name + "p", StringComparison.Ordinal)))
        {
            numbers.Add(File.ReadAllText(Path.Join(block, "dev")).Trim());
            if (Directory.Exists(Path.Join(block, "holders")) && Directory.EnumerateFileSystemEntries(Path.Join(block, "holders")).Any())
            {
                return $"the guest still uses the disk ({Path.GetFileName(block)} has holders)";
            }
        }

        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            if (fields.Length > 4 && numbers.Contains(fields[2]))
            {
                return $"the guest still has the disk mounted at {fields[4]}; detaching it would lose data";
            }
        }

        return null;
    }

    public async Task DetachAsync(string vm, string uuid)
    {
        Attachment? attachment;
        lock (_lock)
        {
            if (!_attached.Remove((vm, uuid), out attachment))
            {
                return;
            }
        }

        foreach (var path in attachment.Links)
        {
            if (Directory.Exists(path) && new FileInfo(path).LinkTarget is null)
            {
                Directory.Delete(path, recursive: true);
            }
            else if (File.Exists(path) || new FileInfo(path).LinkTarget is not null)
            {
                File.Delete(path);
            }
        }

        await RunAsync("losetup", "-d", attachment.Device);
    }

    public async ValueTask DisposeAsync()
    {
        List<(string, string)> keys;
        lock (_lock)
        {
            keys = [.. _attached.Keys];
        }

        foreach (var (vm, uuid) in keys)
        {
            try
            {
                await DetachAsync(vm, uuid);
            }
            catch (InvalidOperationException)
            {
                // A device left mounted by a failed test: losetup -d marks it autoclear.
            }
        }
    }

    private static Task<string> RunAsync(string tool, params string[] arguments) => RunAsync(allowFailure: false, tool, arguments);

    private static async Task<string> RunAsync(bool allowFailure, string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start " + tool);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0 && !allowFailure)
        {
            var message = (await error).Trim();
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"{tool} {string.Join(' ', arguments)} exited {process.ExitCode}: {message}"));
        }

        return await output;
    }

    private sealed record Attachment(string Device, IReadOnlyList<string> Links);
}
