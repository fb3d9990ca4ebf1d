using System.Diagnostics;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Contract;

/// <summary>
/// A private loop-backend setup for lifecycle tests: a temp directory holding the configuration,
/// the disk images, the locks and the log, and a record of every volume and mount a test made so
/// that cleanup (unmount, losetup -d, delete) happens even when a test fails half way.
/// </summary>
public sealed class LoopVolumeFixture : IAsyncDisposable
{
    public const string NodeName = "test-node";

    private readonly List<string> _mounts = [];

    public LoopVolumeFixture(string deviceTimeout = "20s")
    {
        Root = Directory.CreateTempSubdirectory("vd-lifecycle-").FullName;
        ImageDirectory = Path.Join(Root, "images");
        LogFile = Path.Join(Root, "driver.log");
        ConfigFile = Path.Join(Root, "config.yaml");
        File.WriteAllText(ConfigFile, $"""
            backend: loop
            nodeName: {NodeName}
            loop:
              directory: {ImageDirectory}
            log:
              file: {LogFile}
              level: debug
            locking:
              directory: {Path.Join(Root, "locks")}
              timeout: 60s
            node:
              deviceTimeout: {deviceTimeout}
            """);
    }

    public string Root { get; }

    public string ImageDirectory { get; }

    public string LogFile { get; }

    public string ConfigFile { get; }

    public Dictionary<string, string> Environment => new() { ["VOLUME_DRIVER_CONFIG"] = ConfigFile };

    public static string Options(string volume, string? size = "1Gi", string readWrite = "rw", string fsType = "", string? extra = null)
    {
        var options = new Dictionary<string, string>
        {
            ["kubernetes.io/fsType"] = fsType,
            ["kubernetes.io/pvOrVolumeName"] = volume,
            ["kubernetes.io/readwrite"] = readWrite,
        };
        if (size is not null)
        {
            options["size"] = size;
        }

        if (extra is not null)
        {
            var (key, value) = (extra.Split('=', 2)[0], extra.Split('=', 2)[1]);
            options[key] = value;
        }

        return GoJson.Marshal(options);
    }

    /// <summary>kubelet's device mount path for the volume under this fixture's kubelet root, unmounted at cleanup.</summary>
    public string MountPath(string volume) =>
        Track(Path.Join(Root, "kubelet", "plugins", "kubernetes.io", "flexvolume", "acme", "volume-driver", "mounts", volume));

    /// <summary>Remembers a mount point so that cleanup unmounts it even when a test fails half way.</summary>
    public string Track(string mountPath)
    {
        lock (_mounts)
        {
            _mounts.Add(mountPath);
        }

        return mountPath;
    }

    public Task<DriverRun> RunAsync(params string[] args) => KubeletExec.RunAsync(args, Environment);

    /// <summary>Runs a verb and insists on the expected status, showing the whole output otherwise.</summary>
    public async Task<GoDriverStatus> ExpectAsync(string status, params string[] args)
    {
        var run = await RunAsync(args).WithTimeout();
        var parsed = run.Status;
        Assert.True(parsed.Status == status, $"volume-driver {string.Join(' ', args)} answered {run.Text} (exit {run.ExitCode}); expected {status}\n--- log ---\n{ReadLog()}");
        Assert.Equal(status == "Failure" ? 1 : 0, run.ExitCode);
        return parsed;
    }

    public string ReadLog() => File.Exists(LogFile) ? string.Join('\n', File.ReadAllLines(LogFile).TakeLast(40)) : "(no log)";

    public string ImagePath(string volume) => Path.Join(ImageDirectory, volume + ".img");

    /// <summary>The loop devices backed by the volume's image, straight from sysfs.</summary>
    public string[] LoopDevicesOf(string volume)
    {
        var image = ImagePath(volume);
        return Directory.EnumerateDirectories("/sys/block", "loop*")
            .Where(d => File.Exists(Path.Join(d, "loop", "backing_file")) && File.ReadAllText(Path.Join(d, "loop", "backing_file")).Trim() == image)
            .Select(d => "/dev/" + Path.GetFileName(d))
            .ToArray();
    }

    public static bool IsMountPoint(string path) =>
        File.ReadAllLines("/proc/self/mountinfo").Any(line => line.Split(' ')[4] == path);

    public static string MountOptionsOf(string path) =>
        File.ReadAllLines("/proc/self/mountinfo").Select(line => line.Split(' ')).First(fields => fields[4] == path)[5];

    /// <summary>The filesystem type of the mount at <paramref name="path"/> (the field after the " - " separator of mountinfo).</summary>
    public static string FilesystemTypeOf(string path)
    {
        var fields = File.ReadAllLines("/proc/self/mountinfo").Select(line => line.Split(' ')).First(fields => fields[4] == path);
        return fields[Array.IndexOf(fields, "-") + 1];
    }

    public static async Task<string> RunToolAsync(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var output = await process.StandardOutput.ReadToEndAsync(limit.Token).WithTimeout();
        await process.StandardError.ReadToEndAsync(limit.Token).WithTimeout();
        await process.WaitForExitAsync(limit.Token).WithTimeout();
        return output;
    }

    public async ValueTask DisposeAsync()
    {
        string[] mounts;
        lock (_mounts)
        {
            mounts = [.. _mounts];
        }

        foreach (var mount in mounts)
        {
            for (var attempt = 0; attempt < 10 && IsMountPoint(mount); attempt++)
            {
                await RunToolAsync("umount", mount).WithTimeout();
            }
        }

        if (Directory.Exists(ImageDirectory))
        {
            foreach (var image in Directory.EnumerateFiles(ImageDirectory, "*.img"))
            {
                foreach (var device in LoopDevicesOf(Path.GetFileNameWithoutExtension(image)))
                {
                    await RunToolAsync("losetup", "--detach", device).WithTimeout();
                }
            }
        }

        // Every log this fixture's driver runs wrote (rolled files included) is scanned for every test secret.
        var logs = Directory.EnumerateFiles(Root, "*.log", SearchOption.AllDirectories).ToList();
        var text = string.Join('\n', logs.Select(File.ReadAllText));
        Directory.Delete(Root, recursive: true);
        TestSupport.TestSecrets.AssertAbsentFrom(text, string.Join(", ", logs));
    }
}
