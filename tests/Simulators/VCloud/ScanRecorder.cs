namespace Simulators.VCloud;

/// <summary>
/// Watches an emulated node's <c>sys/class/scsi_host/host0/scan</c>, a plain file standing for the
/// kernel's write-only attribute, and counts the writes to it so a test can assert that the driver
/// asked for a SCSI rescan. A write is a change of the file's modification time with content in it;
/// the content is left as written, so a test may also read the file. Two writes within one
/// timestamp tick count as one, which is why tests assert "at least once", not exact numbers.
/// </summary>
internal sealed class ScanRecorder : IDisposable
{
    private readonly string _path;
    private readonly FileSystemWatcher _watcher;
    private readonly Lock _lock = new();
    private readonly List<string> _writes = [];
    private DateTime _lastWrite;

    public ScanRecorder(string path)
    {
        _path = path;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (!File.Exists(path))
        {
            File.WriteAllText(path, string.Empty);
        }

        _lastWrite = File.GetLastWriteTimeUtc(path);

        _watcher = new FileSystemWatcher(Path.GetDirectoryName(path)!, Path.GetFileName(path))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName,
        };
        _watcher.Changed += (_, _) => Collect();
        _watcher.Created += (_, _) => Collect();
        _watcher.EnableRaisingEvents = true;
    }

    /// <summary>What was written, one entry per write seen (the driver writes "- - -").</summary>
    public IReadOnlyList<string> Writes
    {
        get
        {
            // Catch a write whose change event is still on its way.
            Collect();
            lock (_lock)
            {
                return [.. _writes];
            }
        }
    }

    public void Dispose() => _watcher.Dispose();

    private void Collect()
    {
        lock (_lock)
        {
            try
            {
                var written = File.GetLastWriteTimeUtc(_path);
                var content = File.ReadAllText(_path).Trim();
                if (content.Length == 0 || written == _lastWrite)
                {
                    return;
                }

                _lastWrite = written;
                _writes.Add(content);
            }
            catch (IOException)
            {
                // The writer holds it or the root is being removed; the next event reads it.
            }
            catch (UnauthorizedAccessException)
            {
                // Same: a test may have made the file read-only on purpose.
            }
        }
    }
}
