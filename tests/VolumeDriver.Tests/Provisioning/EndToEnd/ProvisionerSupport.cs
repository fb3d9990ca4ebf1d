using System.Diagnostics;
using VolumeDriver.Tests.Contract;

namespace VolumeDriver.Tests.Provisioning.EndToEnd;

/// <summary>
/// Whether the published binary serves <c>volume-driver provisioner</c>: asked once, by running it
/// with an empty kubeconfig. A build without the mode (or with only its command line) says so in
/// its Failure reply, and the end-to-end tests are then skipped with that reason, never passed.
/// </summary>
internal static class ProvisionerSupport
{
    private static readonly Lazy<string?> Missing = new(Probe);

    public static string? MissingReason => DriverBinary.MissingReason ?? Missing.Value;

    private static string? Probe()
    {
        var directory = Directory.CreateTempSubdirectory("vd-probe-").FullName;
        try
        {
            var kubeconfig = Path.Join(directory, "kubeconfig");
            File.WriteAllText(kubeconfig, "");
            var start = new ProcessStartInfo(DriverBinary.Path!) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, WorkingDirectory = "/" };
            foreach (var arg in new[] { "provisioner", "--driver", "probe.example/probe", "--kubeconfig", kubeconfig, "--health-port", "0" })
            {
                start.ArgumentList.Add(arg);
            }

            start.Environment["VOLUME_DRIVER_CONFIG"] = Path.Join(directory, "config.yaml");
            File.WriteAllText(Path.Join(directory, "config.yaml"), "backend: loop\n");
            using var process = Process.Start(start)!;
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                process.Kill(entireProcessTree: true);
                return null; // It ran on with an empty kubeconfig: the mode is there (and will fail its own tests if that is wrong).
            }

            var text = output.Result + error.Result;
            // A build before the mode answers "unknown verb 'provisioner'" (Not supported); one with
            // only its command line, "this build of volume-driver has no provisioner mode".
            return text.Contains("has no provisioner mode", StringComparison.Ordinal) || text.Contains("unknown verb 'provisioner'", StringComparison.Ordinal)
                ? $"the published binary has no provisioner mode yet ({text.Trim()}); build it from a branch that has one"
                : null;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
