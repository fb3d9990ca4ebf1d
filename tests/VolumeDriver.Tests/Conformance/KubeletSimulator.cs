using VolumeDriver.Tests.Contract;
using VolumeDriver.Tests.TestSupport;

namespace VolumeDriver.Tests.Conformance;

/// <summary>
/// A stand-in for kubelet's pkg/volume/flexvolume driver calls, faithful to how kubelet treats the
/// driver's answers (reference/flexvolume.md §1.2 and §1.3): it execs the driver through
/// <see cref="KubeletExec"/>, parses the combined output with Go's strictness, classifies the
/// result (a non-zero exit with "Success" is a failure; "Not supported" is cached per verb and the
/// verb is never executed again for the life of the plugin) and counts the executions.
/// </summary>
public sealed class KubeletSimulator
{
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly HashSet<string> _unsupported = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _executions = new(StringComparer.Ordinal);

    public KubeletSimulator(IReadOnlyDictionary<string, string> environment)
    {
        _environment = environment;
    }

    /// <summary>How many times the driver was executed for a verb.</summary>
    public int Executions(string verb) => _executions.GetValueOrDefault(verb);

    /// <summary>Runs one driver call and classifies it as kubelet does.</summary>
    public async Task<KubeletOutcome> CallAsync(string verb, params string[] args)
    {
        if (_unsupported.Contains(verb))
        {
            return new KubeletOutcome(KubeletResult.NotSupported, null, "cached Not supported: not executed");
        }

        _executions[verb] = Executions(verb) + 1;
        var run = await KubeletExec.RunAsync([verb, .. args], _environment).WithTimeout();
        Assert.Equal("", run.ShellStderr);
        GoDriverStatus status;
        try
        {
            status = run.Status;
        }
        catch (FormatException e)
        {
            // kubelet returns the JSON error itself: the output was not one parsable object.
            return new KubeletOutcome(KubeletResult.Error, null, "unparsable output: " + e.Message);
        }

        if (status.Status == "Not supported")
        {
            _unsupported.Add(verb);
            return new KubeletOutcome(KubeletResult.NotSupported, status, null);
        }

        if (run.ExitCode != 0)
        {
            return new KubeletOutcome(
                KubeletResult.Error,
                status,
                status.Status == "Success" ? $"driver bug: exit {run.ExitCode} with Success" : $"{verb} command failed, status: {status.Status}, reason: {status.Message}");
        }

        return status.Status == "Success"
            ? new KubeletOutcome(KubeletResult.Success, status, null)
            : new KubeletOutcome(KubeletResult.Error, status, $"{verb} command failed, status: {status.Status}, reason: {status.Message}");
    }

    /// <summary>kubelet's options argument: the base keys, then (for mount) pod keys, then the user's options, as Go marshals them.</summary>
    /// <summary>
    /// A pod's mount as kubelet does it for a driver whose <c>mount</c> is Not supported: kubelet
    /// bind-mounts the device mount path into the pod directory itself, the pod writes a file that
    /// must appear on the volume, and at teardown <c>unmount</c> is Not supported too, so kubelet
    /// unmounts the pod directory.
    /// </summary>
    public async Task PodUsesTheVolumeThroughKubeletsBindMountAsync(string podDirectory, string deviceMountPath, string mountOptions)
    {
        Assert.Equal(KubeletResult.NotSupported, (await CallAsync("mount", podDirectory, mountOptions).WithTimeout()).Result);
        await LoopVolumeFixture.RunToolAsync("mount", "--bind", deviceMountPath, podDirectory).WithTimeout();
        try
        {
            await File.WriteAllTextAsync(Path.Join(podDirectory, "written-by-pod"), "hello").WithTimeout();
            Assert.Equal("hello", await File.ReadAllTextAsync(Path.Join(deviceMountPath, "written-by-pod")).WithTimeout());
            Assert.Equal(KubeletResult.NotSupported, (await CallAsync("unmount", podDirectory).WithTimeout()).Result);
        }
        finally
        {
            await LoopVolumeFixture.RunToolAsync("umount", podDirectory).WithTimeout();
        }
    }

    public static string Options(string volume, IReadOnlyDictionary<string, string>? user = null, bool readOnly = false, string fsType = "", IReadOnlyDictionary<string, string>? extra = null)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["kubernetes.io/fsType"] = fsType,
            ["kubernetes.io/readwrite"] = readOnly ? "ro" : "rw",
            ["kubernetes.io/pvOrVolumeName"] = volume,
        };
        foreach (var layer in new[] { extra, user })
        {
            foreach (var (key, value) in layer ?? new Dictionary<string, string>())
            {
                options[key] = value;
            }
        }

        return GoJson.Marshal(options);
    }
}

/// <summary>How kubelet sees one driver call.</summary>
public enum KubeletResult
{
    Success,
    NotSupported,
    Error,
}

/// <summary>One classified call: the result, the parsed status (when there was one) and kubelet's error text.</summary>
public sealed record KubeletOutcome(KubeletResult Result, GoDriverStatus? Status, string? Error)
{
    public KubeletOutcome ExpectSuccess()
    {
        Assert.True(Result == KubeletResult.Success, $"expected Success, kubelet saw {Result}: {Error}");
        return this;
    }
}
