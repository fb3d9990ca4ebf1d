using System.Security.Cryptography;
using VolumeDriver.Host;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Node;

/// <summary>
/// A real loop device over a sparse file in its own temporary directory, for the real-Linux tests.
/// Disposing unmounts anything mounted under the directory, detaches the device and deletes the
/// directory, whether or not the test passed.
/// </summary>
internal sealed class LoopDevice : IAsyncDisposable
{
    private static readonly TimeSpan CommandLimit = TimeSpan.FromSeconds(60);

    private readonly ProcessRunner _runner;

    private LoopDevice(ProcessRunner runner, DirectoryInfo directory, string backingFile, string device)
    {
        _runner = runner;
        Directory = directory;
        BackingFile = backingFile;
        Device = device;
        MountPath = Path.Join(directory.FullName, "mnt");
    }

    public DirectoryInfo Directory { get; }

    public string BackingFile { get; }

    /// <summary>The loop device, such as /dev/loop3.</summary>
    public string Device { get; }

    /// <summary>A mount directory inside the test's directory (not created).</summary>
    public string MountPath { get; }

    /// <summary>Creates a sparse file of <paramref name="size"/> bytes, lets <paramref name="prepare"/> write to it, and attaches it.</summary>
    public static async Task<LoopDevice> CreateAsync(long size, Action<FileStream>? prepare = null)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("vd-loop-");
        var backingFile = Path.Join(directory.FullName, "disk.img");
        using (var stream = new FileStream(backingFile, FileMode.CreateNew, FileAccess.ReadWrite))
        {
            stream.SetLength(size);
            prepare?.Invoke(stream);
        }

        var runner = new ProcessRunner(TimeProvider.System);
        var attach = await runner.RunAsync("losetup", ["--find", "--show", backingFile], CommandLimit, CancellationToken.None).WithTimeout();
        if (attach.ExitCode != 0)
        {
            directory.Delete(recursive: true);
            throw new InvalidOperationException($"losetup --find --show failed ({attach.ExitCode}): {attach.OutputTail()}");
        }

        return new LoopDevice(runner, directory, backingFile, attach.Stdout.Trim());
    }

    /// <summary>Runs a tool for a test step and fails the test when it exits non-zero.</summary>
    public async Task<ProcessResult> RunAsync(string tool, params string[] arguments)
    {
        var result = await _runner.RunAsync(tool, arguments, CommandLimit, CancellationToken.None).WithTimeout();
        Assert.True(result.ExitCode == 0, $"{tool} {string.Join(' ', arguments)} exited with {result.ExitCode}: {result.OutputTail()}");
        return result;
    }

    /// <summary>What <c>blkid -p -o export</c> says about the device, as KEY=value pairs ("" when nothing).</summary>
    public async Task<IReadOnlyDictionary<string, string>> BlkidAsync()
    {
        var result = await _runner.RunAsync("blkid", ["-p", "-o", "export", Device], CommandLimit, CancellationToken.None).WithTimeout();
        Assert.True(result.ExitCode is 0 or 2, $"blkid exited with {result.ExitCode}: {result.OutputTail()}");
        return VolumeDriver.Node.BlockDeviceProbe.ParseExport(result.Stdout);
    }

    /// <summary>
    /// A SHA-256 of every byte of the device, to prove a refused call changed nothing. Read by
    /// sha256sum, not a FileStream: .NET takes an advisory flock on every file it opens, and a block
    /// device's flock belongs to udev and the tools that format it (a CI run failed on that).
    /// </summary>
    public async Task<string> HashAsync()
    {
        var result = await _runner.RunAsync("sha256sum", [Device], CommandLimit, CancellationToken.None).WithTimeout();
        Assert.True(result.ExitCode == 0, $"sha256sum exited with {result.ExitCode}: {result.OutputTail()}");
        return result.Stdout.Split(' ', 2)[0].ToUpperInvariant();
    }

    /// <summary>The mounts at <see cref="MountPath"/>, in mountinfo order.</summary>
    public async Task<IReadOnlyList<MountEntry>> MountsAsync()
    {
        var mounts = await new MountTable(HostRoot.System).ReadAsync(CancellationToken.None).WithTimeout();
        return [.. mounts.Where(m => m.MountPoint == MountPath)];
    }

    public async ValueTask DisposeAsync()
    {
        var mounts = await new MountTable(HostRoot.System).ReadAsync(CancellationToken.None).WithTimeout();
        var prefix = Directory.FullName + "/";
        foreach (var mount in mounts.Reverse().Where(m => m.MountPoint.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var umount = await _runner.RunAsync("umount", [mount.MountPoint], CommandLimit, CancellationToken.None).WithTimeout();
            if (umount.ExitCode != 0)
            {
                await _runner.RunAsync("umount", ["--lazy", mount.MountPoint], CommandLimit, CancellationToken.None).WithTimeout();
            }
        }

        // Detach only while the device is still ours: a loop device number can be reused at once.
        var backingFileNow = Path.Join("/sys/block", Path.GetFileName(Device), "loop", "backing_file");
        if (File.Exists(backingFileNow) && (await File.ReadAllTextAsync(backingFileNow).WithTimeout()).TrimEnd('\n') == BackingFile)
        {
            await _runner.RunAsync("losetup", ["--detach", Device], CommandLimit, CancellationToken.None).WithTimeout();
        }

        Directory.Delete(recursive: true);
    }
}
