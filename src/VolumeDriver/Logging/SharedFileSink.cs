using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;
using VolumeDriver.Host;

namespace VolumeDriver.Logging;

/// <summary>
/// A log file that concurrent verb processes share without losing or mixing lines: each event is
/// formatted into one buffer and written with one write(2) on an O_APPEND descriptor while an
/// exclusive flock(2) on the lock file beside it (<c>name.ext.lock</c>) is held. The file is rolled
/// by size under the same lock: the current file becomes <c>name_001.ext</c>, older ones move up a
/// number, and only the retained count of files are kept (the current one included).
/// </summary>
/// <remarks>
/// Serilog's <c>shared: true</c> file sink serialises writers with a named Mutex; under NativeAOT
/// that mutex does not span processes, and concurrent verbs lost and garbled lines. flock does.
/// The lock is on a file that never moves, so holding it settles everything at once: under it, a
/// process whose descriptor no longer names the current file (another process rolled it, or
/// logrotate renamed it) opens the file by name again, and no writer ever has to retry. (Locking
/// the log file itself made a writer retry each time another process rolled the file before it got
/// the lock, and a writer that lost that race often enough dropped its line.) A line that cannot be
/// written is dropped: the verb's reply matters more than its log.
/// </remarks>
internal sealed class SharedFileSink : ILogEventSink, IDisposable
{
    private const int FileMode = 0x1A0; // 0640

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    private readonly string _path;
    private readonly ITextFormatter _formatter;
    private readonly long _fileSizeLimitBytes;
    private readonly int _retainedFileCountLimit;
    private readonly Lock _gate = new();
    private SafeFileHandle? _lockFile;
    private SafeFileHandle? _file;

    public SharedFileSink(string path, ITextFormatter formatter, long fileSizeLimitBytes, int retainedFileCountLimit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fileSizeLimitBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(retainedFileCountLimit, 1);
        _path = Path.GetFullPath(path);
        _formatter = formatter;
        _fileSizeLimitBytes = fileSizeLimitBytes;
        _retainedFileCountLimit = retainedFileCountLimit;
    }

    /// <summary>The name the <paramref name="index"/>-th rolled file gets: <c>name_001.ext</c> is the newest.</summary>
    public static string RolledPath(string path, int index)
    {
        var directory = Path.GetDirectoryName(path) ?? string.Empty;
        var name = Path.GetFileNameWithoutExtension(path) + "_" + index.ToString("D3", CultureInfo.InvariantCulture) + Path.GetExtension(path);
        return Path.Join(directory, name);
    }

    public void Emit(LogEvent logEvent)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        _formatter.Format(logEvent, text);
        var bytes = Utf8NoBom.GetBytes(text.ToString());
        lock (_gate)
        {
            try
            {
                Append(bytes);
            }
            catch (IOException)
            {
                // Dropped: see the remarks. The descriptors are opened afresh for the next line.
                CloseFile();
                CloseLockFile();
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            CloseFile();
            CloseLockFile();
        }
    }

    private void Append(byte[] bytes)
    {
        var lockFile = _lockFile ??= Open(LockPathOf(_path));
        Check(LibC.FlockWaiting(lockFile, LibC.LockExclusive), "flock");
        try
        {
            if (_file is { } cached && (LibC.FileStatus(cached, out var cachedIdentity) != 0 || !NamesCurrentFile(cachedIdentity)))
            {
                CloseFile();
            }

            var file = _file ??= Open(_path);
            Check(LibC.FileStatus(file, out var open), "fstat");
            if (open.Size > 0 && open.Size + bytes.Length > _fileSizeLimitBytes)
            {
                Roll();
                CloseFile();
                file = _file = Open(_path);
            }

            Check(LibC.WriteAll(file, bytes), "write");
        }
        finally
        {
            LibC.FlockWaiting(lockFile, LibC.Unlock);
        }
    }

    private bool NamesCurrentFile(FileIdentity open)
    {
        var errno = LibC.FileStatus(_path, out var current);
        if (errno == LibC.NoSuchFile)
        {
            return false;
        }

        Check(errno, "stat");
        return open.IsSameFileAs(current);
    }

    /// <summary>Under the current file's lock: drop the oldest rolled file, shift the others, and roll the current one last.</summary>
    private void Roll()
    {
        var oldest = _retainedFileCountLimit - 1;
        if (oldest == 0)
        {
            File.Delete(_path);
            return;
        }

        File.Delete(RolledPath(_path, oldest));
        for (var index = oldest - 1; index >= 1; index--)
        {
            var from = RolledPath(_path, index);
            if (File.Exists(from))
            {
                File.Move(from, RolledPath(_path, index + 1), overwrite: true);
            }
        }

        File.Move(_path, RolledPath(_path, 1), overwrite: true);
    }

    /// <summary>The lock file writers of <paramref name="path"/> hold around each write: it never rolls.</summary>
    public static string LockPathOf(string path) => path + ".lock";

    /// <summary>Opens (creating it) a log file for appending, taking no lock; the handle is invalid on failure.</summary>
    public static SafeFileHandle OpenForAppend(string path, out int errno) =>
        LibC.Open(path, LibC.WriteOnly | LibC.Append | LibC.Create, FileMode, out errno);

    private static SafeFileHandle Open(string path)
    {
        var handle = OpenForAppend(path, out var errno);
        if (handle.IsInvalid)
        {
            handle.Dispose();
            throw new IOException($"cannot open the log file '{path}': errno {errno}");
        }

        return handle;
    }

    private void CloseFile()
    {
        _file?.Dispose();
        _file = null;
    }

    private void CloseLockFile()
    {
        _lockFile?.Dispose();
        _lockFile = null;
    }

    private void Check(int errno, string call)
    {
        if (errno != 0)
        {
            throw new IOException($"{call} failed on the log file '{_path}' with errno {errno}");
        }
    }
}
